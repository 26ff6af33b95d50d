package dev.sluice.interop.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Local accounts for password tests: sshd (UsePAM no) and Sluice's shadow authenticator both check /etc/shadow, so a
 * test needs a real user with a known password; and for servers that read only the account's own authorized_keys.
 * Creating one needs root, which the test machines have.
 */
public final class SystemUsers {
    private SystemUsers() {
    }

    /** Whether the tests run as root, so that users can be created. */
    public static boolean canCreate() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Makes sure {@code name} exists with shell /bin/sh (fast logins) and {@code password}, stored as SHA-512
     * crypt(3) (chpasswd -c SHA512), the scheme both sshd and Sluice verify.
     */
    public static void ensure(String name, String password) throws IOException, InterruptedException {
        if (run(List.of("id", "-u", name), null) != 0) {
            assertThat(run(List.of("useradd", "-m", "-s", "/bin/sh", name), null)).as("useradd " + name).isZero();
        }
        assertThat(run(List.of("chpasswd", "-c", "SHA512"), name + ":" + password + "\n")).as("chpasswd").isZero();
    }

    /**
     * Replaces {@code ~name/.ssh/authorized_keys} with {@code lines}, for servers that read nothing else (Dropbear).
     * The files stay root's and read-only to others, which is what Dropbear's permission check accepts.
     *
     * @return the authorized_keys file
     */
    public static Path authorizeKeys(String name, List<String> lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
        String entry = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("getent passwd " + name).isZero();
        Path ssh = Path.of(entry.split(":")[5], ".ssh");
        Files.createDirectories(ssh);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path authorized = Files.write(ssh.resolve("authorized_keys"), lines);
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-r--r--"));
        return authorized;
    }

    private static int run(List<String> command, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return p.exitValue();
    }
}
