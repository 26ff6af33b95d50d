package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.session.ClientSession;
import dev.sluice.connection.session.ExitStatus;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OpenSSH's {@code ssh host command} against a Sluice server in this JVM: exit codes, a command killed by a signal
 * (compared with what the same ssh reports against the real sshd), stdin to EOF, stderr kept apart, env with
 * AcceptEnv, a refused pty, and MaxSessions.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SessionInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private EmbeddedSluiceServer server;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void start() throws Exception {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null,
                SessionConfig.defaults().withAcceptEnv(List.of("LC_*", "SLUICE_TEST_?")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 42})
    void execShouldExitWithTheCommandsStatus(int status) throws Exception {
        long mark = LogCapture.mark();

        SshRun run = ssh(null, "echo hello; exit " + status);

        assertThat(run.status()).as(run.stderr()).isEqualTo(status);
        assertThat(run.output()).isEqualTo("hello\n");
        assertThat(LogCapture.since(mark)).contains("Starting session: command for ");
    }

    @Test
    void commandKilledBySignalShouldBeReportedAsSshdReportsIt() throws Exception {
        SshRun sluice = ssh(null, "kill -9 $$");
        SshRun sshd;
        try (OpenSshServer real = OpenSshServer.start(List.of(clientKey.publicKeyLine()))) {
            sshd = SshRun.run(dir, client(real.port()).command("kill -9 $$").commandLine(), null, TIMEOUT);
        }

        assertThat(sshd.status()).isEqualTo(255);
        assertThat(sluice.status()).as(sluice.stderr()).isEqualTo(sshd.status());
        assertThat(sluice.stderr()).isEqualTo(sshd.stderr());
    }

    @Test
    void stdinShouldReachTheCommandUntilEofAndComeBackIntact() throws Exception {
        Path input = SshRun.randomFile(dir, "input.bin", 4 << 20, 6);

        SshRun run = ssh(input, "cat");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(Files.size(run.stdout())).isEqualTo(4 << 20);
        assertThat(SshRun.sha256(run.stdout())).isEqualTo(SshRun.sha256(input));
    }

    @Test
    void outputFasterThanTheWindowShouldArriveWhole() throws Exception {
        SshRun run = ssh(null, "head -c 67108864 /dev/zero; head -c 1048576 /dev/zero >&2");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(Files.size(run.stdout())).isEqualTo(64 << 20);
        assertThat(run.stderr()).hasSize(1 << 20);
    }

    /** The embedding API on both ends: a Sluice client session against the Sluice server. */
    @Test
    void apiClientSessionShouldRunACommandOnTheSluiceServer() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
        try (SluiceApiClient client = SluiceApiClient.connect(server.port(), clientKey.privateKey(),
                server.hostPublicKeyLine(), TunnelCipher.AES256_GCM, TIMEOUT)) {
            ExitStatus status = ClientSession.exec(client.connection(), "wc -l; echo warn >&2; exit 4",
                    new ByteArrayInputStream(input), out, err).get(60, TimeUnit.SECONDS);

            assertThat(status).isEqualTo(ExitStatus.exited(4));
        }
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo("2");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("warn\n");
    }

    @Test
    void stderrShouldStayApartFromStdout() throws Exception {
        SshRun run = ssh(null, "echo to-out; echo to-err >&2; echo more-out");

        assertThat(run.status()).isZero();
        assertThat(run.output()).isEqualTo("to-out\nmore-out\n");
        assertThat(run.stderr()).isEqualTo("to-err\n");
    }

    @Test
    void envShouldPassOnlyWhatAcceptEnvAllows() throws Exception {
        OpenSshClient c = client(server.port()).option("SetEnv", "LC_SLUICE=yes SLUICE_TEST_1=one REFUSED=no")
                .command("echo \"$LC_SLUICE|$SLUICE_TEST_1|${REFUSED-unset}|$USER|$HOME|$SSH_CONNECTION\"");

        SshRun run = SshRun.run(dir, c.commandLine(), null, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isZero();
        String[] f = run.output().trim().split("\\|");
        assertThat(f[0]).isEqualTo("yes");
        assertThat(f[1]).isEqualTo("one");
        assertThat(f[2]).isEqualTo("unset");
        assertThat(f[3]).isEqualTo(System.getProperty("user.name"));
        assertThat(f[4]).isEqualTo(System.getProperty("user.home"));
        assertThat(f[5]).startsWith("127.0.0.1 ").endsWith(" 127.0.0.1 " + server.port());
    }

    @Test
    void shellWithoutPtyShouldRunWhatStdinSays() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sh"), "echo from-shell\nexit 7\n");

        SshRun run = SshRun.run(dir, client(server.port()).shell().args("-T").commandLine(), script, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isEqualTo(7);
        assertThat(run.output()).contains("from-shell");
    }

    @Test
    void forcedPtyShouldBeRefusedAsSshdRefusesOneItCannotAllocate() throws Exception {
        SshRun run = SshRun.run(dir, client(server.port()).args("-tt").command("echo no-tty").commandLine(), null,
                TIMEOUT);

        // ssh treats a refused pty it was forced to ask for as fatal to the session.
        assertThat(run.status()).isEqualTo(255);
        assertThat(run.stderr()).contains("PTY allocation request failed on channel 0");
        assertThat(run.output()).doesNotContain("no-tty");
    }

    @Test
    void maxSessionsShouldRefuseTheSessionOverTheLimit() throws Exception {
        server.close();
        server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null,
                SessionConfig.defaults().withMaxSessions(0));

        SshRun run = SshRun.run(dir, client(server.port()).logLevel("INFO").command("true").commandLine(), null,
                TIMEOUT);

        assertThat(run.status()).isEqualTo(255);
        assertThat(run.stderr()).contains("channel 0: open failed: administratively prohibited: open failed");
    }

    private SshRun ssh(Path stdin, String command) throws IOException, InterruptedException {
        return SshRun.run(dir, client(server.port()).command(command).commandLine(), stdin, TIMEOUT);
    }

    /** ssh for scripts (no known_hosts check: each test has a fresh host key), only errors on stderr. */
    private OpenSshClient client(int port) {
        return OpenSshClient.to(port).identity(clientKey.privateKey()).logLevel("ERROR");
    }

}
