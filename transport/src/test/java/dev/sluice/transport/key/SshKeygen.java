package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real OpenSSH ssh-keygen as an independent implementation to check against. A missing binary fails the
 * test: ./run-tests installs openssh-client, so absence means a broken machine, not an optional peer.
 */
final class SshKeygen {
    private static final Path BINARY = Path.of("/usr/bin/ssh-keygen");

    private SshKeygen() {
    }

    /** The exit code, stdout and stderr of one run. */
    record Run(int exitCode, String out, String err) {
    }

    /** Runs {@code ssh-keygen args…} with stdin closed, so it can never wait for a passphrase prompt. */
    static Run run(String... args) throws IOException, InterruptedException {
        return runWithInput(Path.of("/dev/null"), args);
    }

    /** Runs {@code ssh-keygen args…} with stdin read from {@code input} (the message for {@code -Y verify}). */
    static Run runWithInput(Path input, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            fail("ssh-keygen is not installed at " + BINARY + "; ./run-tests installs openssh-client");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("ssh-keygen", ".err");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(input.toFile()))
                    .redirectError(err.toFile())
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("ssh-keygen " + String.join(" ", args) + " did not finish");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Runs and insists on exit code 0; returns stdout. */
    static String runOk(String... args) throws IOException, InterruptedException {
        Run r = run(args);
        if (r.exitCode() != 0) {
            fail("ssh-keygen " + String.join(" ", args) + " exited " + r.exitCode() + ": " + r.err());
        }
        return r.out();
    }

    /** A test resource under keys/ as a path. */
    static Path resource(String name) {
        try {
            return Path.of(SshKeygen.class.getResource("/keys/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource keys/" + name, e);
        }
    }
}
