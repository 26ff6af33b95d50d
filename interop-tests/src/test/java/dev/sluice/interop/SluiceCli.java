package dev.sluice.interop;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs the {@code sluice} CLI as its own process, as the {@code ./sluice} launcher would: the
 * CLI's main class on the test's own class path (which the reactor built from this tree, so no separate jar build can
 * be stale or race with Maven), on the test's JVM, with the launcher's JVM flags.
 */
final class SluiceCli {
    private SluiceCli() {
    }

    /** {@code java [launcher flags] -cp <test class path> dev.sluice.cli.Main subcommand}. */
    static List<String> command(String subcommand) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire runs tests from a manifest-only jar; this property has the real class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseG1GC", "-XX:+PerfDisableSharedMem",
                "-Dio.netty.tryReflectionSetAccessible=true",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
        command.addAll(List.of("-cp", classPath.replace(File.pathSeparator + File.pathSeparator, File.pathSeparator),
                "dev.sluice.cli.Main", subcommand));
        return command;
    }
}
