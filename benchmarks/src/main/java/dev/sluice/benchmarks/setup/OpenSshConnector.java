package dev.sluice.benchmarks.setup;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Full connections with OpenSSH's {@code ssh}, one process each, as people use it: {@code ssh -W} opens the same
 * direct-tcpip channel the Java clients open, and exits when the target closes it.
 */
final class OpenSshConnector implements SetupClient.Connector {
    private final List<String> command;

    OpenSshConnector(int port, Path key, String cipher, int targetPort) {
        this.command = List.of("ssh", "-F", "/dev/null",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                "-o", "KexAlgorithms=curve25519-sha256", "-o", "HostKeyAlgorithms=ssh-ed25519",
                "-c", cipher, "-p", Integer.toString(port), "-i", key.toString(),
                "-W", "127.0.0.1:" + targetPort, "127.0.0.1");
    }

    @Override
    public void connectOnce() throws IOException, InterruptedException {
        Process ssh = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!ssh.waitFor(30, TimeUnit.SECONDS)) {
            ssh.destroyForcibly();
            throw new IOException("ssh did not finish within 30 s");
        }
        if (ssh.exitValue() != 0) {
            String err = new String(ssh.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            throw new IOException("ssh exited " + ssh.exitValue() + ": " + err);
        }
    }

    @Override
    public void close() {
    }
}
