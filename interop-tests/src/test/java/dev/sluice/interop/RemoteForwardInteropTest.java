package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.RemotePortForwarder;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Remote forwarding ({@code -R}) with the real OpenSSH both ways: OpenSSH's {@code ssh -N -R} against the Sluice
 * server ({@code tcpip-forward}, {@code forwarded-tcpip}, port 0, cancel through ssh's control socket), and the Sluice
 * client, as the Java API ({@link RemotePortForwarder}) and as {@code sluice ssh -R}, against OpenSSH's sshd. Data
 * moves both ways at once with SHA-256 checked, and half-close crosses in both directions.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RemoteForwardInteropTest {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 64 * MIB;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Pattern ALLOCATED = Pattern.compile("Allocated port (\\d+) for remote forward to (\\S+)");

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

    // ---- OpenSSH ssh -> Sluice server ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TunnelCipher.class)
    void openSshPortZeroForwardShouldBeAllocatedAndCarryDataBothWays(TunnelCipher cipher) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), cipher);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 21, TIMEOUT);
                ManagedProcess ssh = client(server).remoteForward("0:127.0.0.1:" + target.port()).start()) {
            int port = allocatedPort(ssh, "127.0.0.1:" + target.port());

            double rate = Transfers.assertIntact(port, target, 0, SIZE, 21, TIMEOUT);

            Transfers.report("OpenSSH ssh -R -> Sluice server (in-process)", cipher, SIZE, rate);
            assertThat(TcpPorts.listeningAddresses(port)).as("GatewayPorts no: loopback only")
                    .allMatch(a -> a.isLoopbackAddress());
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void openSshFixedPortForwardShouldCarryHalfCloseAndSurviveASecondConnection() throws Exception {
        int listen = TcpPorts.free();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                ManagedProcess ssh = client(server).remoteForward(listen + ":127.0.0.1:" + target.port()).start()) {
            TcpPorts.awaitListening(listen, STARTUP, ssh);

            Tunnels.assertEchoAfterHalfClose(listen, target, 0, 64, TIMEOUT);
            Tunnels.assertEchoAfterHalfClose(listen, target, 1, 5 << 20, TIMEOUT);
            assertThat(ssh.stderr()).doesNotContain("open failed");
        }
    }

    @Test
    void openSshCancelThroughItsControlSocketShouldCloseTheServersListener() throws Exception {
        int listen = TcpPorts.free();
        Path control = dir.resolve("ctl");
        String spec = listen + ":127.0.0.1:9";
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                ManagedProcess master = client(server).option("ControlMaster", "yes")
                        .option("ControlPath", control.toString()).remoteForward(spec).start()) {
            TcpPorts.awaitListening(listen, STARTUP, master);
            long mark = LogCapture.mark();

            try (ManagedProcess cancel = client(server).option("ControlPath", control.toString())
                    .args("-O", "cancel", "-R", spec).start()) {
                assertThat(cancel.awaitExit(STARTUP)).as(cancel.describe()).isZero();
            }

            awaitNotListening(listen);
            assertThat(master.isAlive()).as("the connection stays").isTrue();
            assertThat(LogCapture.since(mark)).doesNotContain("Exception");
        }
    }

    @Test
    void openSshShouldSeeARefusedForwardAndExitWithExitOnForwardFailure() throws Exception {
        int listen = TcpPorts.free();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null,
                new ForwardingPolicy(AllowTcpForwarding.LOCAL));
                ManagedProcess ssh = client(server).remoteForward(listen + ":127.0.0.1:9").start()) {
            assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen port " + listen);
        }
    }

    // ---- Sluice client -> OpenSSH sshd ---------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TunnelCipher.class)
    void apiRemoteForwardShouldCarryDataBothWaysAndCancel(TunnelCipher cipher) throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).logLevel("DEBUG1")
                        .start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 22, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), cipher, STARTUP)) {
            RemotePortForwarder r = client.remoteForward(null, 0, "127.0.0.1", target.port());
            int port = r.boundPort();
            assertThat(port).isPositive();

            double rate = Transfers.assertIntact(port, target, 0, SIZE, 22, TIMEOUT);
            Transfers.report("Sluice API client -R -> OpenSSH sshd", cipher, SIZE, rate);

            r.cancel().get(30, TimeUnit.SECONDS);
            awaitNotListening(port);
            assertThat(sshd.log()).contains("tcpip-forward listen localhost port 0")
                    .contains("cancel-tcpip-forward addr localhost port " + port);
            assertThat(client.connection().parent().isActive()).isTrue();
        }
    }

    @Test
    void apiRemoteForwardShouldCarryHalfClose() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), TunnelCipher.CHACHA20_POLY1305, STARTUP)) {
            int port = client.remoteForward("127.0.0.1", 0, "127.0.0.1", target.port()).boundPort();

            Tunnels.assertEchoAfterHalfClose(port, target, 0, 64, TIMEOUT);
            Tunnels.assertEchoAfterHalfClose(port, target, 1, 5 << 20, TIMEOUT);
        }
    }

    @Test
    void commandRemoteForwardShouldPrintTheAllocatedPortAndCarryData() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 23, TIMEOUT);
                ManagedProcess ssh = command(sshd).remoteForward("0:127.0.0.1:" + target.port()).start()) {
            int port = allocatedPort(ssh, "127.0.0.1:" + target.port());

            Transfers.assertIntact(port, target, 0, SIZE, 23, TIMEOUT);
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void commandShouldExit255WhenSshdRefusesWithExitOnForwardFailure() throws Exception {
        int listen = TcpPorts.free();
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()), "AllowTcpForwarding local");
                ManagedProcess ssh = command(sshd).remoteForward(listen + ":127.0.0.1:9").start()) {
            assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen port " + listen);
        }
    }

    @Test
    void commandShouldWarnAndStayWithoutExitOnForwardFailure() throws Exception {
        int listen = TcpPorts.free();
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()), "AllowTcpForwarding local");
                TcpTargets.SinkSource target = TcpTargets.sinkSource(MIB, 24, TIMEOUT);
                ManagedProcess ssh = command(sshd).option("ExitOnForwardFailure", "no")
                        .remoteForward(listen + ":127.0.0.1:9")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).start()) {
            assertThat(ssh.awaitStderr("remote port forwarding failed", STARTUP))
                    .contains("Warning: remote port forwarding failed for listen port " + listen);
            // The -L forwarding of the same connection still works.
            int local = Tunnels.forwardedPort(ssh.command(), 0);
            TcpPorts.awaitListening(local, STARTUP, ssh);
            Transfers.assertIntact(local, target, 0, MIB, 24, TIMEOUT);
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Waits for ssh's "Allocated port N for remote forward to DEST" and returns N. */
    static int allocatedPort(ManagedProcess ssh, String destination) {
        String line = ssh.awaitStderr("Allocated port ", STARTUP);
        Matcher m = ALLOCATED.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        assertThat(m.group(2)).isEqualTo(destination);
        return Integer.parseInt(m.group(1));
    }

    static void awaitNotListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (TcpPorts.isListening(port)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("port " + port + " still listening after " + STARTUP);
            }
            Thread.sleep(20);
        }
    }

    private OpenSshClient client(EmbeddedSluiceServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                .option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }

    private SluiceSshCommand command(OpenSshServer sshd) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        return SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey()).knownHosts(knownHosts);
    }
}
