package dev.sluice.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client command ({@code ssh host cmd}, {@code sluice ssh host cmd}, {@code scp}, {@code sftp}) to its end
 * with stdin from a file and stdout and stderr into files, so that binary output arrives byte for byte. For tests
 * whose point is the exit status and the exact bytes; {@link dev.sluice.interop.harness.ManagedProcess} is for
 * processes that keep running.
 *
 * @param status the exit status
 * @param stdout the output file
 * @param stderr what it wrote on stderr
 */
record SshRun(int status, Path stdout, String stderr) {
    /** Runs {@code command} with stdin from {@code stdin} ({@code /dev/null} when null), in {@code dir}. */
    static SshRun run(Path dir, List<String> command, Path stdin, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout-", ".bin");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        Process p = new ProcessBuilder(command)
                .redirectInput(stdin == null ? Path.of("/dev/null").toFile() : stdin.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " still running after " + timeout + "\nstderr:\n"
                    + Files.readString(err));
        }
        return new SshRun(p.exitValue(), out, Files.readString(err));
    }

    /** stdout as text. */
    String output() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    /** A file of {@code size} pseudo-random bytes. */
    static Path randomFile(Path dir, String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
