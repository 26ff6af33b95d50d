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
import dev.sluice.testing.DelayedLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Window growth against real OpenSSH over a long path: a {@link DelayedLink} adds 10 ms each way (a 20 ms round
 * trip, where OpenSSH's fixed 2 MiB window allows at most ~105 MB/s per channel). When Sluice receives, it grows its
 * channel window and the real peer uses the extra credit: OpenSSH logs each WINDOW_ADJUST it receives at DEBUG2
 * ({@code channel N: rcvd adjust BYTES}), and a growth step is one adjust of exactly the old window. Data is checked
 * with SHA-256 both ways. The rates are printed for the record, not asserted: performance lives in benchmarks/.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LongPathWindowInteropTest {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 64 * MIB;
    private static final Duration ONE_WAY = Duration.ofMillis(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    /** The adjust that doubles the 2 MiB initial window. */
    private static final String FIRST_GROWTH = "rcvd adjust " + (2 * MIB);

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
    void openSshClientSendingToASluiceServerGetsAGrownWindow() throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startWithConnection(dir,
                List.of(clientKey.publicKeyLine()), ConnectionConfig.DEFAULT);
                DelayedLink link = DelayedLink.start(new InetSocketAddress("127.0.0.1", server.port()), ONE_WAY);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 3, TIMEOUT);
                ManagedProcess ssh = OpenSshClient.to(link.port()).identity(clientKey.privateKey()).logLevel("DEBUG2")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            double rate = Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 3,
                    TIMEOUT);

            Transfers.report("OpenSSH ssh -L -> 20 ms -> Sluice server", TunnelCipher.AES128_GCM, SIZE, rate);
            assertThat(ssh.stderr()).as("ssh's DEBUG2 log").contains(FIRST_GROWTH);
        }
    }

    @Test
    void aSluiceServerWithFixedWindowsGrowsNothing() throws Exception {
        ConnectionConfig fixed = ConnectionConfig.DEFAULT.withMaxWindow(ConnectionConfig.DEFAULT.initialWindow());
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startWithConnection(dir,
                List.of(clientKey.publicKeyLine()), fixed);
                DelayedLink link = DelayedLink.start(new InetSocketAddress("127.0.0.1", server.port()), ONE_WAY);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 3, TIMEOUT);
                ManagedProcess ssh = OpenSshClient.to(link.port()).identity(clientKey.privateKey()).logLevel("DEBUG2")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            double rate = Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 3,
                    TIMEOUT);

            Transfers.report("OpenSSH ssh -L -> 20 ms -> Sluice (fixed windows)", TunnelCipher.AES128_GCM, SIZE, rate);
            assertThat(ssh.stderr()).as("ssh's DEBUG2 log").contains("rcvd adjust").doesNotContain(FIRST_GROWTH);
        }
    }

    @Test
    void sluiceClientReceivingFromOpenSshServerGrowsItsWindow() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).logLevel("DEBUG2")
                .start();
                DelayedLink link = DelayedLink.start(new InetSocketAddress("127.0.0.1", sshd.port()), ONE_WAY);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 3, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(link.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), TunnelCipher.AES128_GCM, STARTUP)) {
            int tunnel = client.forward("127.0.0.1", target.port());

            double rate = Transfers.assertIntact(tunnel, target, 0, SIZE, 3, TIMEOUT);

            Transfers.report("Sluice API client -L -> 20 ms -> OpenSSH sshd", TunnelCipher.AES128_GCM, SIZE, rate);
            assertThat(sshd.awaitLog(FIRST_GROWTH, TIMEOUT)).as("sshd's DEBUG2 log").contains(FIRST_GROWTH);
        }
    }
}
