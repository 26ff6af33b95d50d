package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The escape character of {@code sluice ssh -tt} with a piped stdin, next to OpenSSH's ssh doing the same against the
 * same sshd: {@code ~~} sends one {@code ~}, {@code ~?} prints the help, {@code ~#} the open connections,
 * {@code ~C} is disabled, {@code ~.} disconnects with "Connection to HOST closed." and status 255; with EscapeChar
 * none the same keys are plain input.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SluiceEscapeCharInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private OpenSshServer sshd;
    private Path knownHosts;

    @BeforeEach
    void start() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
        knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() {
        sshd.close();
    }

    private List<String> line(List<String> client, String... rest) {
        List<String> line = new ArrayList<>(client);
        line.addAll(List.of("-tt", "-F", "none", "-i", clientKey.privateKey().toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-p", Integer.toString(sshd.port())));
        line.addAll(List.of(rest));
        return line;
    }

    /** The result of one client: its status, what it said on stderr, and what the remote command received. */
    private record Typed(int status, String stderr, String received) {
    }

    /**
     * Runs {@code cat > FILE} under {@code -tt}, types {@code firstLine}, waits until the remote side has written it,
     * then types each escape and waits for what it prints (ssh writes an escape's message only while the session
     * goes on: typed at once, the messages before a {@code ~.} are lost), then types {@code ~.} and waits for the end.
     */
    private Typed type(List<String> client, String name, String firstLine) throws Exception {
        Path received = dir.resolve(name);
        Path stderr = dir.resolve(name + ".stderr");
        Process p = new ProcessBuilder(line(client, "127.0.0.1", "cat > " + received))
                .redirectOutput(dir.resolve(name + ".stdout").toFile()).redirectError(stderr.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            write(in, firstLine);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!(Files.exists(received) && Files.readString(received).contains("\n"))) {
                assertThat(System.nanoTime()).as("%s: %s never arrived; stderr: %s", name, firstLine,
                        Files.exists(stderr) ? Files.readString(stderr) : "").isLessThan(deadline);
                assertThat(p.isAlive()).as(name + " ended early: " + Files.readString(stderr)).isTrue();
                Thread.sleep(50);
            }
            for (String[] step : new String[][] {{"~?", "immediately after newline.)\r\n"},
                {"~#", "The following connections are open:\r\n"}, {"~C", "commandline disabled\r\n"}}) {
                write(in, step[0]);
                while (!Files.readString(stderr).contains(step[1])) {
                    assertThat(System.nanoTime()).as("%s: nothing for %s; stderr: %s", name, step[0],
                            Files.readString(stderr)).isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
            write(in, "~.");
            assertThat(p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as(name + " still running").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Typed(p.exitValue(), Files.readString(stderr), Files.readString(received));
    }

    private static void write(OutputStream in, String text) throws IOException {
        in.write(text.getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    @Test
    void escapesShouldWorkAsInSsh() throws Exception {
        Typed ssh = type(List.of("ssh"), "ssh", "~~x\n");
        Typed mine = type(SluiceCli.command("ssh"), "sluice", "~~x\n");

        for (Typed t : List.of(ssh, mine)) {
            assertThat(t.status()).as(t.stderr()).isEqualTo(255);
            assertThat(t.received()).isEqualTo("~x\n");
            assertThat(t.stderr()).startsWith("~?\r\nSupported escape sequences:\r\n"
                    + " ~.   - terminate connection (and any multiplexed sessions)\r\n"
                    + " ~B   - send a BREAK to the remote system\r\n"
                    + " ~R   - request rekey\r\n"
                    + " ~V/v - decrease/increase verbosity (LogLevel)\r\n")
                    .contains(" ~#   - list forwarded connections\r\n")
                    .contains(" ~?   - this message\r\n"
                            + " ~~   - send the escape character by typing it twice\r\n"
                            + "(Note that escapes are only recognized immediately after newline.)\r\n"
                            + "~#\r\nThe following connections are open:\r\n  #")
                    .containsPattern("\r\n  #[0-9]+ client-session \\([^)]*\\)\r\ncommandline disabled\r\n")
                    .endsWith("commandline disabled\r\nConnection to 127.0.0.1 closed.\r\n");
        }
    }

    @Test
    void escapeCharNoneShouldSendEverything() throws Exception {
        for (List<String> client : List.of(List.of("ssh"), SluiceCli.command("ssh"))) {
            List<String> command = new ArrayList<>(client);
            command.addAll(List.of("-e", "none"));
            Path received = dir.resolve("plain-" + client.size());
            Process p = new ProcessBuilder(line(command, "127.0.0.1", "head -n 1 > " + received))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("plain.out").toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                write(in, "~.\n");
                assertThat(p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(p.exitValue()).as(Files.readString(dir.resolve("plain.out"))).isZero();
            assertThat(Files.readString(received)).isEqualTo("~.\n");
        }
    }
}
