package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sluice ssh} logs, next to what OpenSSH's ssh logs for the same command against the same private sshd:
 * {@code -v}'s debug1 lines for the main steps (in the same order and words, variable parts masked), {@code -q},
 * {@code -E logfile}, and LogLevel from {@code -o} and from a config file.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SluiceLogOutputInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private OpenSshServer sshd;
    private Path knownHosts;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
        knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        config = Files.writeString(dir.resolve("ssh_config"), "Host 127.0.0.1\n  ServerAliveCountMax 3\n");
    }

    @AfterEach
    void stop() {
        sshd.close();
    }

    /** The options both clients get: this key only, this known_hosts file strictly, no prompts, the config file. */
    private List<String> common(String... extra) {
        List<String> line = new ArrayList<>(List.of(extra));
        line.addAll(List.of("-F", config.toString(), "-i", clientKey.privateKey().toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + knownHosts, "-p", Integer.toString(sshd.port())));
        return line;
    }

    private SshRun openSsh(List<String> options, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("ssh"));
        line.addAll(options);
        line.add("127.0.0.1");
        line.addAll(List.of(command));
        return SshRun.run(dir, line, null, TIMEOUT);
    }

    private SshRun sluice(List<String> options, String... command) throws Exception {
        List<String> line = new ArrayList<>(SluiceCli.command("ssh"));
        line.addAll(options);
        line.add("127.0.0.1");
        line.addAll(List.of(command));
        return SshRun.run(dir, line, null, TIMEOUT);
    }

    @Test
    void verboseShouldLogTheMainStepsAsSshDoes() throws Exception {
        int listen = TcpPorts.free();
        int target = TcpPorts.free();
        String forward = "127.0.0.1:" + listen + ":localhost:" + target;
        int port = sshd.port();
        List<String> expected = List.of(
                "debug1: Reading configuration data " + config,
                "debug1: " + config + " line 1: Applying options for 127.0.0.1",
                "debug1: Connecting to 127.0.0.1 [127.0.0.1] port " + port + ".",
                "debug1: Connection established.",
                "debug1: Local version string SSH-2.0-*",
                "debug1: Remote protocol version 2.0, remote software version OpenSSH_*",
                "debug1: SSH2_MSG_KEXINIT received",
                "debug1: kex: algorithm: *",
                "debug1: kex: host key algorithm: ssh-ed25519",
                "debug1: kex: server->client cipher: * MAC: * compression: none",
                "debug1: kex: client->server cipher: * MAC: * compression: none",
                "debug1: expecting SSH2_MSG_KEX_ECDH_REPLY",
                "debug1: SSH2_MSG_KEX_ECDH_REPLY received",
                "debug1: Server host key: ssh-ed25519 SHA256:*",
                "debug1: Host '[127.0.0.1]:" + port + "' is known and matches the ED25519 host key.",
                "debug1: Found key in " + knownHosts + ":1",
                "debug1: ssh_packet_send2_wrapped: resetting send seqnr *",
                "debug1: SSH2_MSG_NEWKEYS sent",
                "debug1: expecting SSH2_MSG_NEWKEYS",
                "debug1: SSH2_MSG_NEWKEYS received",
                "debug1: Will attempt key: * ED25519 SHA256:*",
                "debug1: SSH2_MSG_EXT_INFO received",
                "debug1: kex_input_ext_info: server-sig-algs=<*>",
                "debug1: SSH2_MSG_SERVICE_ACCEPT received",
                "debug1: Authentications that can continue: *publickey*",
                "debug1: Next authentication method: publickey",
                "debug1: Offering public key: * ED25519 SHA256:*",
                "debug1: Server accepts key: * ED25519 SHA256:*",
                "Authenticated to 127.0.0.1 ([127.0.0.1]:" + port + ") using \"publickey\".",
                "debug1: Local connections to 127.0.0.1:" + listen + " forwarded to remote address localhost:"
                        + target,
                "debug1: Local forwarding listening on 127.0.0.1 port " + listen + ".",
                "debug1: channel *: new session [client-session] (inactive timeout: 0)",
                "debug1: Entering interactive session.",
                "debug1: Sending command: echo hi",
                "debug1: client_input_channel_req: channel * rtype exit-status reply 0",
                "Transferred: sent *, received * bytes, in * seconds",
                "Bytes per second: sent *, received *",
                "debug1: Exit status 0");

        SshRun ssh = openSsh(common("-v", "-L", forward), "echo", "hi");
        SshRun mine = sluice(common("-v", "-L", forward), "echo", "hi");

        assertThat(ssh.status()).as(ssh.stderr()).isZero();
        assertThat(mine.status()).as(mine.stderr()).isZero();
        assertThat(mine.output()).isEqualTo(ssh.output()).isEqualTo("hi\n");
        assertInOrder("ssh -v", ssh.stderr(), expected);
        assertInOrder("sluice ssh -v", mine.stderr(), expected);
        // ssh ends each log line with CR LF (log.c), so that it stays readable in raw terminal mode.
        assertThat(mine.stderr()).contains("debug1: Connection established.\r\n");
    }

    @Test
    void quietShouldSilenceWarningsAndErrorsAsSshDoes() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        List<String> accept = List.of("-F", "none", "-i", clientKey.privateKey().toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                "-o", "UserKnownHostsFile=" + empty, "-p", Integer.toString(sshd.port()));
        String warning = "Warning: Permanently added '[127.0.0.1]:" + sshd.port() + "' (ED25519) to the list of "
                + "known hosts.";

        SshRun loud = sluice(accept, "true");
        Files.writeString(empty, "");
        SshRun quiet = sluice(with("-q", accept), "true");
        Files.writeString(empty, "");
        SshRun sshQuiet = openSsh(with("-q", accept), "true");

        assertThat(loud.status()).as(loud.stderr()).isZero();
        assertThat(loud.stderr()).contains(warning);
        assertThat(quiet.status()).as(quiet.stderr()).isZero();
        assertThat(quiet.stderr()).isEqualTo(sshQuiet.stderr()).isEmpty();

        try (TcpPorts.RefusedPort refused = TcpPorts.refused()) {
            List<String> nowhere = List.of("-F", "none", "-p", Integer.toString(refused.port()));
            SshRun sshRefused = openSsh(with("-q", nowhere), "true");
            SshRun mineRefused = sluice(with("-q", nowhere), "true");
            SshRun mineLoud = sluice(nowhere, "true");

            assertThat(mineRefused.status()).isEqualTo(sshRefused.status()).isEqualTo(255);
            assertThat(mineRefused.stderr()).isEqualTo(sshRefused.stderr()).isEmpty();
            assertThat(mineLoud.stderr()).contains("ssh: connect to host 127.0.0.1 port " + refused.port()
                    + ": Connection refused");
        }
    }

    @Test
    void logFileShouldReceiveWhatWouldGoToStandardErrorAndGrow() throws Exception {
        Path log = dir.resolve("ssh.log");

        SshRun first = sluice(common("-v", "-E", log.toString()), "echo out; echo err >&2");
        SshRun second = sluice(common("-E", log.toString(), "-o", "LogLevel=VERBOSE"), "true");

        assertThat(first.status()).as(first.stderr()).isZero();
        assertThat(first.output()).isEqualTo("out\n");
        assertThat(first.stderr()).as("only the remote command's stderr stays on stderr").isEqualTo("err\n");
        assertThat(second.stderr()).isEmpty();
        String text = Files.readString(log);
        assertThat(text).contains("debug1: Connecting to 127.0.0.1 [127.0.0.1] port " + sshd.port() + ".\r\n");
        assertThat(Pattern.compile("^Authenticated to 127\\.0\\.0\\.1 ", Pattern.MULTILINE).matcher(text).results()
                .count()).as("both runs appended").isEqualTo(2);

        try (TcpPorts.RefusedPort refused = TcpPorts.refused()) {
            Path refusedLog = dir.resolve("refused.log");
            List<String> nowhere = List.of("-F", "none", "-E", refusedLog.toString(), "-p",
                    Integer.toString(refused.port()));
            SshRun ssh = openSsh(nowhere, "true");
            String sshText = Files.readString(refusedLog);
            Files.delete(refusedLog);
            SshRun mine = sluice(nowhere, "true");

            assertThat(mine.status()).isEqualTo(ssh.status()).isEqualTo(255);
            assertThat(mine.stderr()).isEqualTo(ssh.stderr()).isEmpty();
            assertThat(Files.readString(refusedLog)).isEqualTo(sshText)
                    .isEqualTo("ssh: connect to host 127.0.0.1 port " + refused.port() + ": Connection refused\r\n");
        }
        List<String> badFile = List.of("-E", dir.resolve("no/such/dir/log").toString());
        SshRun mine = sluice(badFile);
        SshRun ssh = openSsh(badFile);
        assertThat(mine.status()).isEqualTo(ssh.status()).isEqualTo(1);
        assertThat(mine.stderr()).isEqualTo(ssh.stderr()).startsWith("Couldn't open logfile ");
    }

    @Test
    void logLevelShouldComeFromTheOptionOrTheConfigFileAsSshTakesIt() throws Exception {
        Path verbose = Files.writeString(dir.resolve("verbose_config"), "Host 127.0.0.1\n  LogLevel VERBOSE\n");
        List<String> fromFile = new ArrayList<>(common());
        fromFile.set(fromFile.indexOf(config.toString()), verbose.toString());

        for (SshRun run : List.of(openSsh(fromFile, "true"), sluice(fromFile, "true"))) {
            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.stderr()).contains("Authenticated to 127.0.0.1 ([127.0.0.1]:" + sshd.port()
                    + ") using \"publickey\".").doesNotContain("debug1:");
        }
        for (SshRun run : List.of(openSsh(common("-o", "LogLevel=DEBUG1"), "true"),
                sluice(common("-o", "LogLevel=DEBUG1"), "true"))) {
            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.stderr()).contains("debug1: Reading configuration data " + config)
                    .contains("debug1: Sending command: true").doesNotContain("debug2:");
        }
        for (SshRun run : List.of(openSsh(common("-o", "LogLevel=ERROR"), "true"),
                sluice(common("-o", "LogLevel=ERROR"), "true"))) {
            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.stderr()).isEmpty();
        }
    }

    private static List<String> with(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /**
     * Asserts that each pattern ({@code *} stands for any text) matches a whole line of {@code log}, each after the
     * line the one before it matched.
     */
    private static void assertInOrder(String who, String log, List<String> patterns) {
        String[] lines = log.replace("\r", "").split("\n");
        int at = 0;
        for (String p : patterns) {
            Pattern regex = Pattern.compile(Pattern.quote(p).replace("*", "\\E.*\\Q"));
            int found = -1;
            for (int i = at; i < lines.length; i++) {
                if (regex.matcher(lines[i]).matches()) {
                    found = i;
                    break;
                }
            }
            assertThat(found).as("%s: no line \"%s\" after line %d in:\n%s", who, p, at, log).isNotNegative();
            at = found + 1;
        }
    }
}
