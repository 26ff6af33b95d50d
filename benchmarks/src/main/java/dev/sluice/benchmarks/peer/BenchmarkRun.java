package dev.sluice.benchmarks.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.stream.Stream;

/**
 * What every end-to-end benchmark driver shares: the options that say where the peers come from, the scratch
 * directory with the keys, the report's header lines (machine, JDK, date), and printing and saving the table.
 */
public final class BenchmarkRun {
    /** The repository (for {@code ./sluice}), the JDK and class path of the Java peers, and the report file. */
    public static final class CommonOptions {
        public Path repo = Path.of(".").toAbsolutePath().normalize();
        public Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        public String classpath = System.getProperty("java.class.path");
        public Path out;
        public String cipher = "aes128-gcm@openssh.com";

        /** Takes {@code --repo}, {@code --java}, {@code --classpath}, {@code --out} or {@code --cipher}. */
        boolean accept(String option, String value) {
            switch (option) {
                case "--cipher" -> cipher = value;
                case "--repo" -> repo = Path.of(value).toAbsolutePath().normalize();
                case "--java" -> java = Path.of(value);
                case "--classpath" -> classpath = value;
                case "--out" -> out = Path.of(value);
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Reads {@code --option value} pairs: the common ones into {@code common}, the others through {@code specific},
     * which returns false for an option it does not know.
     *
     * @throws IllegalArgumentException for an unknown option or one without a value
     */
    public static void parse(String[] args, CommonOptions common, BiPredicate<String, String> specific) {
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            if (!common.accept(args[i], args[i + 1]) && !specific.test(args[i], args[i + 1])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
    }

    /** The measuring part of a benchmark: given the keys and files, returns the report's table. */
    public interface Body {
        String measure(Peer.Setup setup) throws Exception;
    }

    private BenchmarkRun() {
    }

    /**
     * Runs {@code benchmark} with the keys and files of a fresh scratch directory (deleted afterwards), prints the
     * table it returns, saves it to {@code --out} if given, and exits.
     */
    public static void run(CommonOptions options, Body benchmark) throws Exception {
        Path work = Files.createTempDirectory("sluice-bench-");
        String table;
        try {
            table = benchmark.measure(Peer.Setup.create(options.repo.resolve("sluice"), options.java,
                    options.classpath, work));
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println(table);
        if (options.out != null) {
            Files.createDirectories(options.out.toAbsolutePath().getParent());
            Files.writeString(options.out, table + "\n");
            System.err.println("written to " + options.out);
        }
        // Daemon threads only, but be explicit: nothing should keep this JVM alive.
        System.exit(0);
    }

    /** The header of a report: a title, then the JDK of the Java peers, the CPU and the date as list items. */
    public static String header(String title, CommonOptions options) {
        return "### " + title + "\n\n- JDK: " + javaVersion(options.java) + "\n- CPU: " + cpuDescription()
                + "\n- Date: " + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")) + "\n";
    }

    private static String javaVersion(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("?") + " (" + java
                    + ")";
        } catch (IOException e) {
            return java.toString();
        }
    }

    private static String cpuDescription() {
        try {
            List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
            String model = cpuinfo.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
            long logical = cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
            return model + ", " + logical + " logical CPU(s)";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
