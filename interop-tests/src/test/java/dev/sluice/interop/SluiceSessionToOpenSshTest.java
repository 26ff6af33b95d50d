package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.session.ClientSession;
import dev.sluice.connection.session.ExitStatus;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sluice ssh host command} as its own process against OpenSSH's sshd: exit statuses, a signal, stdin to EOF,
 * stderr, a shell without a pty fed from a pipe, SetEnv through AcceptEnv, and the sftp subsystem with {@code -s}.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SluiceSessionToOpenSshTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private OpenSshServer sshd;
    private Path knownHosts;

    @BeforeEach
    void start() throws Exception {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()),
                "Subsystem sftp /usr/lib/openssh/sftp-server", "AcceptEnv SLUICE_*");
        knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() {
        sshd.close();
    }

    private SluiceSshCommand sluice() {
        return SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey()).knownHosts(knownHosts)
                .logLevel("ERROR");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void execShouldExitWithTheRemoteStatus(int status) throws Exception {
        SshRun run = SshRun.run(dir, sluice().command("echo out; echo err >&2; exit " + status).commandLine(), null,
                TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isEqualTo(status);
        assertThat(run.output()).isEqualTo("out\n");
        assertThat(run.stderr()).isEqualTo("err\n");
    }

    @Test
    void commandKilledBySignalShouldExitWith255AsSshDoes() throws Exception {
        SshRun run = SshRun.run(dir, sluice().command("kill -9 $$").commandLine(), null, TIMEOUT);

        assertThat(run.status()).isEqualTo(255);
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void stdinShouldBeCopiedToTheCommandUntilEof() throws Exception {
        Path input = SshRun.randomFile(dir, "in.bin", 4 << 20, 3);

        SshRun run = SshRun.run(dir, sluice().command("cat").commandLine(), input, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(SshRun.sha256(run.stdout())).isEqualTo(SshRun.sha256(input));
    }

    @Test
    void nullStdinShouldGiveTheCommandAnImmediateEof() throws Exception {
        Path input = Files.writeString(dir.resolve("ignored.txt"), "not read\n");

        SshRun run = SshRun.run(dir, sluice().args("-n").command("cat; echo done").commandLine(), input, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.output()).isEqualTo("done\n");
    }

    @Test
    void shellWithoutATerminalShouldRunStdinAndSayWhyThereIsNoPty() throws Exception {
        Path script = Files.writeString(dir.resolve("script"), "echo \"in shell $SLUICE_VAR\"\nexit 6\n");

        SshRun run = SshRun.run(dir, sluice().logLevel("INFO").args("-o", "SetEnv=SLUICE_VAR=set")
                .command().commandLine(), script, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isEqualTo(6);
        assertThat(run.output()).contains("in shell set");
        assertThat(run.stderr()).contains("Pseudo-terminal will not be allocated because stdin is not a terminal.");
    }

    @Test
    void sftpSubsystemShouldAnswerInitWithItsVersion() throws Exception {
        // SSH_FXP_INIT, version 3: uint32 length 5, byte 1, uint32 3. stdin stays open until the answer is there:
        // sftp-server quits at EOF without answering what it has read (with OpenSSH's ssh too).
        Path init = Files.write(dir.resolve("init"), new byte[] {0, 0, 0, 5, 1, 0, 0, 0, 3});
        Path answer = dir.resolve("answer");
        StringBuilder pipeline = new StringBuilder("(cat " + init + "; i=0; while [ ! -s " + answer
                + " ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done) |");
        for (String word : sluice().args("-s").command("sftp").commandLine()) {
            pipeline.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        pipeline.append(" > ").append(answer);

        SshRun run = SshRun.run(dir, List.of("/bin/sh", "-c", pipeline.toString()), null, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isZero();
        try (InputStream in = Files.newInputStream(answer); DataInputStream data = new DataInputStream(in)) {
            int length = data.readInt();
            assertThat(length).isBetween(5, 4096);
            assertThat(data.readByte()).as("SSH_FXP_VERSION").isEqualTo((byte) 2);
            assertThat(data.readInt()).as("version").isEqualTo(3);
        }
    }

    /**
     * With a terminal (util-linux {@code script} gives it one), {@code -t} gets a remote pty, and the local terminal is
     * in ssh's raw mode: the remote CR LF arrives unchanged, not turned into CR CR LF.
     */
    @Test
    void terminalShouldGetARemotePtyAndPassItsOutputRaw() throws Exception {
        StringBuilder command = new StringBuilder();
        for (String word : sluice().args("-t").command("tty; exit 7").commandLine()) {
            command.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }

        SshRun run = SshRun.run(dir, List.of("script", "-qec", command.toString(), "/dev/null"), null, TIMEOUT);

        assertThat(run.status()).as(run.output()).isEqualTo(7);
        assertThat(run.output()).containsPattern("/dev/pts/[0-9]+\r\n").doesNotContain("\r\r\n");
    }

    /** The embedding API: connect, run a command with stdin from memory, read its output and exit status. */
    @Test
    void apiClientSessionShouldRunACommandWithStreamsAndReportItsStatus() throws Exception {
        byte[] input = new byte[3 << 20];
        new Random(4).nextBytes(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                sshd.hostPublicKeyLine(), TunnelCipher.AES128_GCM, TIMEOUT)) {
            ExitStatus status = ClientSession.exec(client.connection(), "cat; echo done >&2; exit 9",
                    new ByteArrayInputStream(input), out, err).get(60, TimeUnit.SECONDS);

            assertThat(status).isEqualTo(ExitStatus.exited(9));
        }
        assertThat(out.toByteArray()).isEqualTo(input);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("done\n");
    }

    @Test
    void apiClientSessionShouldReportASignalAndARefusedSubsystem() throws Exception {
        try (SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                sshd.hostPublicKeyLine(), TunnelCipher.CHACHA20_POLY1305, TIMEOUT)) {
            ExitStatus killed = ClientSession.exec(client.connection(), "kill -TERM $$", null,
                    OutputStream.nullOutputStream(), OutputStream.nullOutputStream())
                    .get(60, TimeUnit.SECONDS);
            assertThat(killed.signal()).isEqualTo("TERM");

            ClientSession session = ClientSession.open(client.connection(), null, OutputStream.nullOutputStream(),
                    OutputStream.nullOutputStream()).get(60, TimeUnit.SECONDS);
            assertThat(session.subsystem("no-such-subsystem").get(60, TimeUnit.SECONDS)).isFalse();
            session.close();
        }
    }

    @Test
    void unknownSubsystemShouldFailAsSshDoes() throws IOException, InterruptedException {
        SshRun run = SshRun.run(dir, sluice().args("-s").command("no-such-subsystem").commandLine(), null, TIMEOUT);

        assertThat(run.status()).isEqualTo(255);
        assertThat(run.stderr()).contains("subsystem request failed on channel 0");
    }
}
