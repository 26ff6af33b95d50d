package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.interop.harness.Askpass;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.SystemUsers;
import dev.sluice.transport.key.PublicKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice server -E FILE} against {@code sshd} for the same logins by OpenSSH's ssh (a key login with a
 * command, a wrong password, a refused key): every line sshd logs at LogLevel INFO is in Sluice's log file, word for
 * word once the client's port numbers are set aside; and LogLevel QUIET logs nothing.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerLogInteropTest {
    private static final String USER = "sluicepw";
    private static final String PASSWORD = "Sl-pw-4-tests";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void sluiceServerShouldLogWhatSshdLogsForTheSameLogins() throws Exception {
        assumeTrue(SystemUsers.canCreate(), "the password login needs root to create a user with a known password");
        SystemUsers.ensure(USER, PASSWORD);
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        OpenSshKeys.KeyPairFiles stranger = OpenSshKeys.ed25519(dir, "stranger_key");
        Path log = dir.resolve("sluice.log");
        Files.writeString(log, "an earlier line, kept: -E appends\n");
        List<String> sshdLines;
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(key.publicKeyLine())
                .config("PasswordAuthentication yes").logLevel("INFO").start()) {
            logins(sshd.port(), key, stranger);
            sshdLines = awaitLines(() -> normalized(sshd.log()),
                    l -> l.stream().filter(line -> line.contains(USER)).count() >= 5);
        }
        try (ManagedProcess server = sluiceServer(key, log, "INFO")) {
            int port = port(server);
            logins(port, key, stranger);
            List<String> sluiceLines = awaitLines(() -> normalized(read(log)), l -> l.containsAll(sshdLines));
            assertThat(sluiceLines).containsAll(sshdLines);
            assertThat(sluiceLines.get(0)).isEqualTo("an earlier line, kept: -E appends");
            assertThat(server.stderr()).as("with -E nothing is logged on standard error").isEmpty();
        }
        assertThat(sshdLines).contains("Server listening on 127.0.0.1 port N.",
                "Accepted publickey for " + USER + " from 127.0.0.1 port N ssh2: ED25519 " + fingerprint(key),
                "Received disconnect from 127.0.0.1 port N:11: disconnected by user",
                "Disconnected from user " + USER + " 127.0.0.1 port N",
                "Failed password for " + USER + " from 127.0.0.1 port N ssh2",
                "Connection closed by authenticating user " + USER + " 127.0.0.1 port N [preauth]");
    }

    @Test
    void logLevelQuietShouldLogNothing() throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        Path log = dir.resolve("quiet.log");
        try (ManagedProcess server = sluiceServer(key, log, "QUIET")) {
            int port = port(server);
            try (ManagedProcess ssh = OpenSshClient.to(port).user("alice").identity(key.privateKey())
                    .command("true").start()) {
                assertThat(ssh.awaitExit(TIMEOUT)).as(ssh.describe()).isZero();
            }
            assertThat(Files.exists(log) ? Files.readString(log) : "").isEmpty();
        }
    }

    @Test
    void theLogFileShouldBeOpenedAsSshdOpensIt() throws Exception {
        Path config = Files.writeString(dir.resolve("sshd_config"),
                "HostKey " + OpenSshKeys.ed25519(dir, "host_key").privateKey() + "\n");
        Files.createDirectories(Path.of("/run/sshd"));
        Path missing = dir.resolve("no-such-dir/x.log");
        Path sshdLog = dir.resolve("sshd.log");
        Path sluiceLog = dir.resolve("sluice-t.log");
        SshRun sshd = SshRun.run(dir, List.of("/usr/sbin/sshd", "-t", "-f", config.toString(), "-E",
                missing.toString()), null, TIMEOUT);
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("-t", "-f", config.toString(), "-E", missing.toString()));
        SshRun sluice = SshRun.run(dir, command, null, TIMEOUT);
        assertThat(sluice.status()).isEqualTo(sshd.status()).isEqualTo(1);
        assertThat(sluice.stderr()).isEqualTo(sshd.stderr())
                .isEqualTo("Couldn't open logfile " + missing + ": No such file or directory\n");

        assertThat(SshRun.run(dir, List.of("/usr/sbin/sshd", "-t", "-f", config.toString(), "-E",
                sshdLog.toString()), null, TIMEOUT).status()).isZero();
        command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("-t", "-f", config.toString(), "-E", sluiceLog.toString()));
        assertThat(SshRun.run(dir, command, null, TIMEOUT).status()).isZero();
        assertThat(Files.getPosixFilePermissions(sluiceLog)).as("created as sshd creates it")
                .isEqualTo(Files.getPosixFilePermissions(sshdLog))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    private ManagedProcess sluiceServer(OpenSshKeys.KeyPairFiles key, Path log, String level) throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key_" + level);
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), key.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config_" + level), """
                HostKey %s
                AuthorizedKeysFile %s
                PasswordAuthentication yes
                LogLevel %s
                """.formatted(hostKey.privateKey(), authorized, level));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString(), "-E", log.toString()));
        return ManagedProcess.start("sluice server", command);
    }

    private static int port(ManagedProcess server) {
        String listening = server.awaitStdout("listening on ", TIMEOUT);
        return Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
    }

    /** A key login running a command, a wrong password, a key the server does not know: each to its end. */
    private void logins(int port, OpenSshKeys.KeyPairFiles key, OpenSshKeys.KeyPairFiles stranger)
            throws Exception {
        try (ManagedProcess ssh = OpenSshClient.to(port).user(USER).identity(key.privateKey()).command("true")
                .start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).as(ssh.describe()).isZero();
        }
        Askpass askpass = Askpass.answering(dir, List.of("wrong password"));
        OpenSshClient wrong = OpenSshClient.to(port).user(USER).option("BatchMode", "no")
                .option("PubkeyAuthentication", "no").option("PreferredAuthentications", "password")
                .option("NumberOfPasswordPrompts", "1").command("true");
        askpass.environment().forEach(wrong::environment);
        try (ManagedProcess ssh = wrong.start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).as(ssh.describe()).isEqualTo(255);
        }
        try (ManagedProcess ssh = OpenSshClient.to(port).user(USER).identity(stranger.privateKey()).command("true")
                .start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).as(ssh.describe()).isEqualTo(255);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Log lines without Sluice's level prefix, client ports as N, sshd's own ports as N too. */
    private static List<String> normalized(String log) {
        return log.lines().map(l -> l.replaceFirst("^\\[[A-Z]+\\] ", "").replaceAll("port \\d+", "port N"))
                .toList();
    }

    /** The log's lines once {@code done} holds for them, or as they are after the timeout. */
    private static List<String> awaitLines(Supplier<List<String>> lines, Predicate<List<String>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> now = lines.get();
        while (!done.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = lines.get();
        }
        return now;
    }

    private static String fingerprint(OpenSshKeys.KeyPairFiles key) throws Exception {
        return PublicKeys.parseLine(key.publicKeyLine()).fingerprint();
    }
}
