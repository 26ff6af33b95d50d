package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DataPump;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.interop.harness.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * Unix-domain socket forwarding with real OpenSSH on the other end, both ways, data checked by SHA-256 in both
 * directions at once: OpenSSH's {@code ssh -L port:/socket} to a Sluice server (direct-streamlocal@openssh.com), and
 * {@code sluice ssh -L port:/socket} and {@code sluice ssh -L /socket:host:port} to sshd.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamLocalForwardInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final long SIZE = 16 << 20;

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
    void openSshForwardsAPortToASocketPathOnTheSluiceServer() throws Exception {
        int port = TcpPorts.free();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                UnixSockets.SinkSource target = UnixSockets.sinkSource(dir.resolve("target.sock"), SIZE, 41, TIMEOUT);
                ManagedProcess ssh = openSsh(server).localForward("127.0.0.1:" + port + ":" + target.path())
                        .start()) {
            TcpPorts.awaitListening(port, STARTUP, ssh);
            assertIntact(DataPump.exchange(port, SIZE, Transfers.UP_SEED, TIMEOUT), target.awaitConnection(TIMEOUT),
                    41);
        }
    }

    /** sshd's rule, kept by the Sluice server: a key's no-port-forwarding refuses socket forwarding too. */
    @Test
    void aKeyWithNoPortForwardingIsRefusedAsSshdRefusesIt() throws Exception {
        int port = TcpPorts.free();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir,
                List.of("no-port-forwarding " + clientKey.publicKeyLine()), null);
                UnixSockets.SinkSource target = UnixSockets.sinkSource(dir.resolve("target.sock"), SIZE, 44, TIMEOUT);
                ManagedProcess ssh = openSsh(server).localForward("127.0.0.1:" + port + ":" + target.path())
                        .start()) {
            TcpPorts.awaitListening(port, STARTUP, ssh);
            long mark = LogCapture.mark();
            Tunnels.assertConnectionEndsWithoutData(port, TIMEOUT);
            assertThat(ssh.awaitStderr("open failed", TIMEOUT)).containsPattern(
                    "channel \\d+: open failed: administratively prohibited: open failed");
            assertThat(LogCapture.await(mark, "refused streamlocal port forward", TIMEOUT))
                    .contains("target path " + target.path() + " (user ").endsWith(": no-port-forwarding)");
        }
    }

    @Test
    void sluiceForwardsAPortToASocketPathOnSshd() throws Exception {
        int port = TcpPorts.free();
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                UnixSockets.SinkSource target = UnixSockets.sinkSource(dir.resolve("target.sock"), SIZE, 42, TIMEOUT);
                ManagedProcess sluice = sluiceSsh(sshd).args("-L", "127.0.0.1:" + port + ":" + target.path())
                        .start()) {
            TcpPorts.awaitListening(port, STARTUP, sluice);
            assertIntact(DataPump.exchange(port, SIZE, Transfers.UP_SEED, TIMEOUT), target.awaitConnection(TIMEOUT),
                    42);
        }
    }

    @Test
    void sluiceListensOnASocketPathForwardingToAPortBehindSshd() throws Exception {
        Path listen = dir.resolve("listen.sock");
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 43, TIMEOUT);
                ManagedProcess sluice = sluiceSsh(sshd).args("-L", listen + ":127.0.0.1:" + target.port())
                        .start()) {
            awaitSocket(listen, sluice);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(listen)))
                    .as("StreamLocalBindMask 0177, as ssh's default").isEqualTo("rw-------");
            assertIntact(UnixSockets.exchange(listen, SIZE, Transfers.UP_SEED, TIMEOUT), target.awaitConnection(0,
                    TIMEOUT), 43);
        }
    }

    /** Both directions whole: what the near end sent reached the far end, and the far end's stream came back. */
    private static void assertIntact(DataPump.Result near, DataPump.Result far, long farSeed) {
        assertThat(near.received()).as("bytes back from the far end").isEqualTo(SIZE);
        assertThat(near.receivedSha256()).isEqualTo(DataPump.sha256Of(SIZE, farSeed));
        assertThat(far.received()).as("bytes at the far end").isEqualTo(SIZE);
        assertThat(far.receivedSha256()).isEqualTo(near.sentSha256());
    }

    private static void awaitSocket(Path path, ManagedProcess owner) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!Files.exists(path)) {
            if (!owner.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nothing listening on " + path + "\n" + owner.describe());
            }
            Thread.sleep(20);
        }
    }

    private OpenSshClient openSsh(EmbeddedSluiceServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString());
    }

    private SluiceSshCommand sluiceSsh(OpenSshServer sshd) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        return SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey()).knownHosts(knownHosts);
    }
}
