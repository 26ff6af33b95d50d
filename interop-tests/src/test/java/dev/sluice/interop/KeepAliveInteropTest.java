package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ConnectionConfig;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keepalives with real OpenSSH peers. A peer that stops answering is made by stopping its processes (SIGSTOP): the
 * socket stays open and nothing more comes from it, which is what keepalives are for. Sluice must give up within
 * Interval × (CountMax + 1) with OpenSSH's words, and, the other way round, OpenSSH's keepalives (global requests from
 * ssh, channel requests from sshd while a channel is open) must get answers from Sluice so that OpenSSH stays up.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KeepAliveInteropTest {
    private static final Duration STARTUP = Duration.ofSeconds(30);
    /** Scheduling slack on a shared 2-core machine, on top of Interval × (CountMax + 1). */
    private static final long SLACK_MILLIS = 2_000;

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void generateClientKey() throws IOException {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
    }

    @Test
    void sluiceSshGivesUpOnAStoppedSshdWithSshsMessageAndExit255() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(1 << 20, 31, STARTUP)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            int local = TcpPorts.free();
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("ServerAliveInterval", "1").option("ServerAliveCountMax", "2")
                    .localForward(local, "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Thread.sleep(4_000);
                assertThat(ssh.isAlive()).as("sshd answers the keepalives: 4 s > 3 intervals").isTrue();
                Transfers.assertIntact(local, target, 0, 1 << 20, 31, STARTUP);

                List<Long> stopped = signal("STOP", sshd.process().pid());
                try {
                    long start = System.nanoTime();
                    assertThat(ssh.awaitExit(Duration.ofMillis(3_000 + SLACK_MILLIS))).isEqualTo(255);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(millis).as("two unanswered keepalives first").isGreaterThanOrEqualTo(1_900);
                    assertThat(ssh.stderr()).contains("Timeout, server 127.0.0.1 not responding.");
                    assertThat(TcpPorts.isListening(local)).as("the -L listener is gone").isFalse();
                } finally {
                    signal("CONT", stopped);
                }
            }
        }
    }

    @Test
    void sluiceSshRunningACommandGivesUpOnAStoppedSshdToo() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("ServerAliveInterval", "1").option("ServerAliveCountMax", "1")
                    .command("echo started; sleep 60").start()) {
                ssh.awaitStdout("started", STARTUP);
                List<Long> stopped = signal("STOP", sshd.process().pid());
                try {
                    assertThat(ssh.awaitExit(Duration.ofMillis(2_000 + SLACK_MILLIS))).isEqualTo(255);
                    assertThat(ssh.stderr()).contains("Timeout, server 127.0.0.1 not responding.");
                } finally {
                    signal("CONT", stopped);
                }
            }
        }
    }

    @Test
    void sluiceSessionsAnswerSshdsClientAliveChannelRequests() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .config("ClientAliveInterval 1").config("ClientAliveCountMax 1").logLevel("DEBUG1").start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).command("sleep 4; echo done").start()) {
                assertThat(ssh.awaitExit(STARTUP)).as(ssh.describe()).isZero();
                assertThat(ssh.stdout()).contains("done");
            }
            assertThat(sshd.log()).contains("for keepalive").doesNotContain("Timeout, client not responding");
        }
    }

    @Test
    void theSluiceServerGivesUpOnAStoppedSshWithSshdsLogLine() throws Exception {
        ConnectionConfig alive = ConnectionConfig.DEFAULT.withKeepAlive(Duration.ofSeconds(1), 2);
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startWithConnection(dir,
                List.of(clientKey.publicKeyLine()), alive)) {
            int local = TcpPorts.free();
            long mark = LogCapture.mark();
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                    .localForward(local, "127.0.0.1", 9).startForwarding(STARTUP)) {
                Thread.sleep(4_000);
                assertThat(LogCapture.since(mark)).as("ssh answers the keepalives")
                        .doesNotContain("Timeout, client not responding");

                List<Long> stopped = signal("STOP", ssh.pid());
                try {
                    long start = System.nanoTime();
                    String line = LogCapture.await(mark, "Timeout, client not responding",
                            Duration.ofMillis(3_000 + SLACK_MILLIS));
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(millis).isGreaterThanOrEqualTo(1_900);
                    Matcher m = Pattern.compile("Timeout, client not responding from user (\\S+) 127\\.0\\.0\\.1"
                            + " port (\\d+)").matcher(line);
                    assertThat(m.find()).as(line).isTrue();
                    assertThat(m.group(1)).isEqualTo(System.getProperty("user.name"));
                } finally {
                    signal("CONT", stopped);
                }
                assertThat(ssh.awaitExit(STARTUP)).as("ssh finds its connection gone").isEqualTo(255);
            }
        }
    }

    @Test
    void openSshServerAliveKeepsGettingAnswersFromTheSluiceServer() throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(1 << 20, 32, STARTUP)) {
            int local = TcpPorts.free();
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                    .option("ServerAliveInterval", "1").option("ServerAliveCountMax", "1").logLevel("DEBUG")
                    .localForward(local, "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Thread.sleep(4_000);

                assertThat(ssh.isAlive()).as("4 s > 2 intervals: the keepalives were answered").isTrue();
                assertThat(ssh.stderr()).doesNotContain("not responding");
                Transfers.assertIntact(local, target, 0, 1 << 20, 32, STARTUP);
            }
        }
    }

    /** Sends SIG{@code name} to the process and its descendants; returns their pids. */
    private static List<Long> signal(String name, long pid) throws Exception {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return signal(name, pids);
    }

    private static List<Long> signal(String name, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/kill", "-" + name));
        pids.forEach(p -> command.add(Long.toString(p)));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return pids;
    }
}
