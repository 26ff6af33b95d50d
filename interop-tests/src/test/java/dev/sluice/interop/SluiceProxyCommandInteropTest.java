package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProxyCommand and {@code -W}, each side against the real thing: {@code sluice ssh} through OpenSSH's {@code ssh -W}
 * as its ProxyCommand, OpenSSH's ssh through {@code sluice ssh -W} as its ProxyCommand, a ProxyCommand that fails
 * (ssh's messages), ProxyCommand none and ProxyJump taking precedence as the first value obtained, and {@code -W} to a
 * refused port.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SluiceProxyCommandInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** What ssh says instead when the proxy had gone before ssh wrote its version line to it. */
    private static final String BROKEN_PIPE = "banner exchange: Connection to UNKNOWN port 65535: Broken pipe\n";

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private OpenSshServer sshd;
    private Path knownHosts;
    /** A 1 MiB file sent through each proxied connection and checked by its SHA-256. */
    private Path data;

    @BeforeEach
    void start() throws Exception {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
        knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        data = SshRun.randomFile(dir, "data", 1 << 20, 6);
    }

    @AfterEach
    void stop() {
        sshd.close();
    }

    /** Options for either client: this key, this known_hosts strictly, no prompts, no config files, sshd's port. */
    private List<String> options() {
        return List.of("-F", "none", "-i", clientKey.privateKey().toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-p", Integer.toString(sshd.port()));
    }

    private SshRun run(List<String> client, List<String> extra, Path stdin, String... command) throws Exception {
        List<String> line = new ArrayList<>(client);
        line.addAll(extra);
        line.addAll(options());
        line.add("127.0.0.1");
        line.addAll(List.of(command));
        return SshRun.run(dir, line, stdin, TIMEOUT);
    }

    private static String quoted(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    @Test
    void sluiceShouldRunItsConnectionThroughOpenSshAsProxyCommand() throws Exception {
        List<String> proxy = new ArrayList<>(List.of("ssh"));
        proxy.addAll(options());
        proxy.addAll(List.of("-W", "%h:%p", "127.0.0.1"));

        SshRun run = run(SluiceCli.command("ssh"), List.of("-o", "ProxyCommand=" + quoted(proxy), "-v"), data,
                "sha256sum");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.output()).startsWith(SshRun.sha256(data) + " ");
        assertThat(run.stderr()).contains("debug1: Executing proxy command: exec " + quoted(proxy)
                .replace("%h", "127.0.0.1").replace("%p", Integer.toString(sshd.port())))
                .contains("Authenticated to 127.0.0.1 (via proxy) using \"publickey\".")
                .doesNotContain("debug1: Connecting to");
    }

    @Test
    void openSshShouldRunItsConnectionThroughSluiceAsProxyCommand() throws Exception {
        List<String> proxy = new ArrayList<>(SluiceCli.command("ssh"));
        proxy.addAll(options());
        Path script = dir.resolve("sluice-proxy");
        Files.writeString(script, "#!/bin/sh\nexec " + quoted(proxy) + " -W \"$1:$2\" 127.0.0.1\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        SshRun run = run(List.of("ssh"), List.of("-o", "ProxyCommand=" + script + " %h %p"), data, "sha256sum");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.output()).startsWith(SshRun.sha256(data) + " ");
    }

    @Test
    void aFailingProxyCommandShouldSayWhatSshSays() throws Exception {
        for (String command : List.of("false", "exit 3", "no-such-command-here")) {
            List<String> extra = List.of("-o", "ProxyCommand=" + command);
            SshRun ssh = run(List.of("ssh"), extra, null, "true");
            SshRun mine = run(SluiceCli.command("ssh"), extra, null, "true");

            assertThat(mine.status()).as(mine.stderr()).isEqualTo(ssh.status()).isEqualTo(255);
            // ssh says one of two things, depending on whether it wrote its version line before the proxy exited.
            String closed = "kex_exchange_identification: Connection closed by remote host\n"
                    + "Connection closed by UNKNOWN port 65535\n";
            String sshSaid = ssh.stderr().replace("\r", "");
            String before = sshSaid.endsWith(closed) ? sshSaid.substring(0, sshSaid.length() - closed.length())
                    : sshSaid.substring(0, sshSaid.length() - BROKEN_PIPE.length());
            assertThat(sshSaid).as(command).endsWith(sshSaid.endsWith(closed) ? closed : BROKEN_PIPE);
            assertThat(mine.stderr().replace("\r", "")).as(command).isEqualTo(before + closed);
        }
        List<String> badToken = List.of("-o", "ProxyCommand=nc %z");
        SshRun ssh = run(List.of("ssh"), badToken, null, "true");
        SshRun mine = run(SluiceCli.command("ssh"), badToken, null, "true");
        assertThat(mine.status()).isEqualTo(ssh.status()).isEqualTo(255);
        assertThat(mine.stderr().replace("\r", "")).isEqualTo(ssh.stderr().replace("\r", ""));
    }

    @Test
    void theFirstOfProxyCommandAndProxyJumpShouldWinAndNoneShouldMeanDirect() throws Exception {
        Path config = Files.writeString(dir.resolve("ssh_config"), "Host 127.0.0.1\n  ProxyCommand false\n");
        for (List<String> client : List.of(List.of("ssh"), SluiceCli.command("ssh"))) {
            // ProxyCommand none on the command line comes first: a direct connection, the file's false unused.
            SshRun none = SshRun.run(dir, line(client, "-F", config.toString(), "-o", "ProxyCommand=none"), null,
                    TIMEOUT);
            // ProxyJump none first does not stop the file's ProxyCommand (ssh 9.2).
            SshRun jumpNone = SshRun.run(dir, line(client, "-F", config.toString(), "-o", "ProxyJump=none"), null,
                    TIMEOUT);
            // Only the file: its ProxyCommand fails.
            SshRun fromFile = SshRun.run(dir, line(client, "-F", config.toString()), null, TIMEOUT);

            assertThat(none.status()).as(client + ": " + none.stderr()).isZero();
            assertThat(none.output()).isEqualTo("direct\n");
            assertThat(jumpNone.status()).as(client + ": " + jumpNone.stderr()).isEqualTo(255);
            assertThat(jumpNone.stderr()).contains("UNKNOWN port 65535");
            assertThat(fromFile.status()).isEqualTo(255);
            assertThat(fromFile.stderr()).contains("UNKNOWN port 65535");
        }
    }

    /** A client command line that skips options()'s -F none, so that {@code -F file} can be given. */
    private List<String> line(List<String> client, String... extra) {
        List<String> line = new ArrayList<>(client);
        line.addAll(List.of(extra));
        List<String> rest = new ArrayList<>(options());
        rest.subList(0, 2).clear();
        line.addAll(rest);
        line.addAll(List.of("127.0.0.1", "echo", "direct"));
        return line;
    }

    @Test
    void stdioForwardingToARefusedPortShouldFailAsSshDoes() throws Exception {
        try (TcpPorts.RefusedPort refused = TcpPorts.refused()) {
            List<String> extra = List.of("-W", "127.0.0.1:" + refused.port());
            SshRun ssh = run(List.of("ssh"), extra, null);
            SshRun mine = run(SluiceCli.command("ssh"), extra, null);

            assertThat(mine.status()).isEqualTo(ssh.status()).isEqualTo(255);
            assertThat(mine.stderr().replace("\r", "")).isEqualTo(ssh.stderr().replace("\r", ""))
                    .isEqualTo("channel 0: open failed: connect failed: Connection refused\nstdio forwarding failed\n");
        }
        SshRun bad = run(SluiceCli.command("ssh"), List.of("-W", "nocolon"), null);
        SshRun sshBad = run(List.of("ssh"), List.of("-W", "nocolon"), null);
        assertThat(bad.status()).isEqualTo(sshBad.status()).isEqualTo(255);
        assertThat(bad.stderr()).startsWith("Bad stdio forwarding specification 'nocolon'");
        assertThat(sshBad.stderr()).startsWith("Bad stdio forwarding specification 'nocolon'");
    }
}
