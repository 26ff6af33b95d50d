package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * OpenSSH's {@code sftp} and {@code scp -O} against {@code sluice server} run as its own process from an sshd_config
 * file ({@code Subsystem sftp /usr/lib/openssh/sftp-server}, AcceptEnv, MaxSessions): files up and down, checked by
 * SHA-256; a ForceCommand; and {@code ssh -tt}, which gets a real pseudo-terminal from this server.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SftpInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SCRIPT_OPTIONS = "-oStrictHostKeyChecking=no -oUserKnownHostsFile=/dev/null "
            + "-oBatchMode=yes -oIdentitiesOnly=yes -oLogLevel=ERROR -F /dev/null";

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private ManagedProcess server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        startServer(List.of());
    }

    private void startServer(List<String> extraConfig) throws Exception {
        if (server != null) {
            server.close();
        }
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "host_key" + System.nanoTime());
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        List<String> config = new ArrayList<>(List.of("# sshd_config for sluice server",
                "HostKey " + hostKey.privateKey(), "AuthorizedKeysFile " + authorized,
                "Subsystem sftp /usr/lib/openssh/sftp-server", "AcceptEnv LANG LC_*", "MaxSessions 4"));
        config.addAll(extraConfig);
        Path configFile = Files.write(dir.resolve("sshd_config"), config);
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", configFile.toString()));
        server = ManagedProcess.start("sluice server", command);
        String listening = server.awaitStdout("listening on ", TIMEOUT);
        port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void sftpBatchShouldPutAndGetFilesIntact() throws Exception {
        Path local = SshRun.randomFile(dir, "up.bin", 3 << 20, 1);
        Path remote = dir.resolve("remote.bin");
        Path back = dir.resolve("back.bin");
        Path batch = Files.writeString(dir.resolve("batch"),
                "put " + local + " " + remote + "\nget " + remote + " " + back + "\nls -l " + remote + "\n");
        List<String> sftp = new ArrayList<>(List.of("sftp", "-b", batch.toString(), "-P", Integer.toString(port),
                "-i", clientKey.privateKey().toString()));
        sftp.addAll(List.of(SCRIPT_OPTIONS.split(" ")));
        sftp.add("127.0.0.1");

        SshRun run = SshRun.run(dir, sftp, null, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(SshRun.sha256(remote)).isEqualTo(SshRun.sha256(local));
        assertThat(SshRun.sha256(back)).isEqualTo(SshRun.sha256(local));
        assertThat(run.output()).contains("remote.bin");
    }

    @Test
    void scpInLegacyModeShouldCopyBothWaysIntact() throws Exception {
        Path local = SshRun.randomFile(dir, "scp-up.bin", 5 << 20, 2);
        Path remote = dir.resolve("scp-remote.bin");
        Path back = dir.resolve("scp-back.bin");

        SshRun up = SshRun.run(dir, scp(local.toString(), "127.0.0.1:" + remote), null, TIMEOUT);
        SshRun down = SshRun.run(dir, scp("127.0.0.1:" + remote, back.toString()), null, TIMEOUT);

        assertThat(up.status()).as(up.stderr()).isZero();
        assertThat(down.status()).as(down.stderr()).isZero();
        assertThat(SshRun.sha256(remote)).isEqualTo(SshRun.sha256(local));
        assertThat(SshRun.sha256(back)).isEqualTo(SshRun.sha256(local));
    }

    @Test
    void scpOfAMissingFileShouldFailAsWithSshd() throws Exception {
        SshRun run = SshRun.run(dir, scp("127.0.0.1:" + dir.resolve("missing"), dir.resolve("x").toString()), null,
                TIMEOUT);

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.stderr()).contains("scp: " + dir.resolve("missing") + ": No such file or directory");
    }

    @Test
    void forceCommandShouldReplaceTheClientsCommand() throws Exception {
        startServer(List.of("ForceCommand echo forced:\"$SSH_ORIGINAL_COMMAND\""));

        SshRun run = SshRun.run(dir, OpenSshClient.to(port).identity(clientKey.privateKey()).logLevel("ERROR")
                .command("echo", "asked").commandLine(), null, TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.output()).isEqualTo("forced:echo asked\n");
    }

    @Test
    void forcedTtyShouldRunTheCommandOnARealPseudoTerminal() throws Exception {
        SshRun run = SshRun.run(dir, OpenSshClient.to(port).identity(clientKey.privateKey()).logLevel("ERROR")
                .args("-tt").command("tty; echo \"TERM=$TERM SSH_TTY=$SSH_TTY\"; exit 4").commandLine(), null,
                TIMEOUT);

        assertThat(run.status()).as(run.stderr()).isEqualTo(4);
        String[] lines = run.output().split("\r\n");
        assertThat(lines[0]).startsWith("/dev/pts/");
        // ssh sends its own TERM, or an empty one when it has none.
        assertThat(lines[1]).isEqualTo("TERM=" + System.getenv().getOrDefault("TERM", "") + " SSH_TTY=" + lines[0]);
    }

    private List<String> scp(String from, String to) {
        List<String> scp = new ArrayList<>(List.of("scp", "-O", "-P", Integer.toString(port),
                "-i", clientKey.privateKey().toString()));
        scp.addAll(List.of(SCRIPT_OPTIONS.split(" ")));
        scp.addAll(List.of(from, to));
        return scp;
    }
}
