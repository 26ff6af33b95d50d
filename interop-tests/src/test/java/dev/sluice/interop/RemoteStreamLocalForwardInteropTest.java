package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.forwarding.AllowStreamLocalForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.RemoteForward;
import dev.sluice.forwarding.RemotePortForwarder;
import dev.sluice.forwarding.StreamLocalPolicy;
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
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote Unix-domain socket forwarding ({@code streamlocal-forward@openssh.com}, {@code
 * forwarded-streamlocal@openssh.com}) with real OpenSSH on the other end: OpenSSH's {@code ssh -N -R /path:…} to a
 * Sluice server, and {@code sluice ssh -R /path:…} (and {@code -R port:/local/socket}) and the Java API to sshd. Data
 * moves both ways at once with SHA-256 checked; cancel, refusals with ssh's words, the socket's mode, and what
 * happens to an existing path (StreamLocalBindUnlink) and to the socket when the connection ends.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RemoteStreamLocalForwardInteropTest {
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

    // ---- OpenSSH ssh -> Sluice server ----------------------------------------------------------------------------

    @Test
    void openSshForwardsARemoteSocketToAPortAndTheSocketGoesWithTheConnection() throws Exception {
        Path path = dir.resolve("remote.sock");
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 51, TIMEOUT)) {
            try (ManagedProcess ssh = openSsh(server).remoteForward(path + ":127.0.0.1:" + target.port()).start()) {
                awaitSocket(path, ssh);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                        .as("StreamLocalBindMask 0177, sshd's default").isEqualTo("rw-------");
                assertIntact(UnixSockets.exchange(path, SIZE, Transfers.UP_SEED, TIMEOUT),
                        target.awaitConnection(0, TIMEOUT), 51);
                assertThat(ssh.isAlive()).isTrue();
            }
            awaitGone(path);
        }
    }

    @Test
    void openSshForwardsARemoteSocketToALocalSocket() throws Exception {
        Path path = dir.resolve("remote.sock");
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                UnixSockets.SinkSource target = UnixSockets.sinkSource(dir.resolve("local.sock"), SIZE, 52, TIMEOUT);
                ManagedProcess ssh = openSsh(server).remoteForward(path + ":" + target.path()).start()) {
            awaitSocket(path, ssh);
            assertIntact(UnixSockets.exchange(path, SIZE, Transfers.UP_SEED, TIMEOUT),
                    target.awaitConnection(TIMEOUT), 52);
        }
    }

    @Test
    void openSshCancelThroughItsControlSocketRemovesTheSocket() throws Exception {
        Path path = dir.resolve("remote.sock");
        Path control = dir.resolve("ctl");
        String spec = path + ":127.0.0.1:9";
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                ManagedProcess master = openSsh(server).option("ControlMaster", "yes")
                        .option("ControlPath", control.toString()).logLevel("DEBUG1").remoteForward(spec).start()) {
            // Not just the socket: ssh must have the reply first, or a cancel overtaking it confuses it (it then
            // reads the late reply as one for port 0, and exits on "parse packet: incomplete message").
            master.awaitStderr("remote forward success for: listen " + path, STARTUP);
            long mark = LogCapture.mark();

            try (ManagedProcess cancel = openSsh(server).option("ControlPath", control.toString())
                    .args("-O", "cancel", "-R", spec).start()) {
                assertThat(cancel.awaitExit(STARTUP)).as(cancel.describe()).isZero();
            }

            awaitGone(path);
            assertThat(master.isAlive()).as("the connection stays").isTrue();
            assertThat(LogCapture.since(mark)).doesNotContain("Exception");
        }
    }

    @Test
    void openSshIsRefusedByAllowStreamLocalForwardingLocalWithItsMessage() throws Exception {
        Path path = dir.resolve("refused.sock");
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                ForwardingPolicy.DEFAULT, StreamLocalPolicy.DEFAULT.withAllow(AllowStreamLocalForwarding.LOCAL))) {
            long mark = LogCapture.mark();
            try (ManagedProcess ssh = openSsh(server).remoteForward(path + ":127.0.0.1:9").start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen path " + path);
            }
            assertThat(LogCapture.await(mark, "refused streamlocal-forward", TIMEOUT))
                    .contains("listen path " + path + " (user " + System.getProperty("user.name") + " from 127.0.0.1")
                    .endsWith(": AllowStreamLocalForwarding local)");
            assertThat(Files.exists(path)).isFalse();
        }
    }

    @Test
    void openSshWithARestrictedKeyIsRefused() throws Exception {
        Path path = dir.resolve("refused.sock");
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir,
                List.of("restrict " + clientKey.publicKeyLine()), null)) {
            long mark = LogCapture.mark();
            try (ManagedProcess ssh = openSsh(server).remoteForward(path + ":127.0.0.1:9").start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen path " + path);
            }
            assertThat(LogCapture.await(mark, "refused streamlocal-forward", TIMEOUT))
                    .endsWith(": no-port-forwarding)");
        }
    }

    @Test
    void anExistingPathFailsAsWithSshdUnlessStreamLocalBindUnlink() throws Exception {
        Path path = dir.resolve("stale.sock");
        Files.writeString(path, "stale");
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null)) {
            long mark = LogCapture.mark();
            try (ManagedProcess ssh = openSsh(server).remoteForward(path + ":127.0.0.1:9").start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen path " + path);
            }
            assertThat(LogCapture.await(mark, "cannot bind to path", TIMEOUT))
                    .contains("unix_listener: cannot bind to path " + path + ": Address already in use");
            assertThat(Files.readString(path)).isEqualTo("stale");
        }
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                ForwardingPolicy.DEFAULT, StreamLocalPolicy.DEFAULT.withBindUnlink(true).withBindMask(0117));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(1 << 20, 53, TIMEOUT);
                ManagedProcess ssh = openSsh(server).remoteForward(path + ":127.0.0.1:" + target.port()).start()) {
            awaitSocket(path, ssh, p -> !Files.isRegularFile(p));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
            DataPump.Result near = UnixSockets.exchange(path, 1 << 20, Transfers.UP_SEED, TIMEOUT);
            assertThat(near.receivedSha256()).isEqualTo(DataPump.sha256Of(1 << 20, 53));
        }
    }

    /**
     * {@code sluice server -f sshd_config}: StreamLocalBindMask and StreamLocalBindUnlink from the file, and a Match
     * block's DisableForwarding refusing one user's socket forwarding both ways.
     */
    @Test
    void sluiceServerTakesTheStreamLocalKeywordsAndMatchBlocksFromItsConfig() throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                HostKey %s
                AuthorizedKeysFile %s
                StreamLocalBindMask 0117
                StreamLocalBindUnlink yes
                Match User restricted
                    DisableForwarding yes
                """.formatted(hostKey.privateKey(), authorized));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        Path path = dir.resolve("remote.sock");
        Files.writeString(path, "stale");
        try (ManagedProcess server = ManagedProcess.start("sluice server", command);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 58, TIMEOUT)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");
            try (ManagedProcess ssh = OpenSshClient.to(port).identity(clientKey.privateKey()).user("alice")
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .remoteForward(path + ":127.0.0.1:" + target.port()).start()) {
                awaitSocket(path, ssh, p -> !Files.isRegularFile(p));
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
                assertIntact(UnixSockets.exchange(path, SIZE, Transfers.UP_SEED, TIMEOUT),
                        target.awaitConnection(0, TIMEOUT), 58);
            }
            awaitGone(path);
            try (ManagedProcess ssh = OpenSshClient.to(port).identity(clientKey.privateKey()).user("restricted")
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .remoteForward(path + ":127.0.0.1:" + target.port()).start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen path " + path);
            }
            assertThat(server.awaitStderr("refused streamlocal-forward", TIMEOUT))
                    .contains("(user restricted from 127.0.0.1").endsWith(": DisableForwarding yes)");
            // The same block covers the other direction, -L to a socket path.
            int listen = TcpPorts.free();
            try (ManagedProcess ssh = OpenSshClient.to(port).identity(clientKey.privateKey()).user("restricted")
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .localForward("127.0.0.1:" + listen + ":" + dir.resolve("any.sock")).start()) {
                TcpPorts.awaitListening(listen, STARTUP, ssh);
                Tunnels.assertConnectionEndsWithoutData(listen, TIMEOUT);
                assertThat(ssh.awaitStderr("open failed", TIMEOUT))
                        .contains("open failed: administratively prohibited: open failed");
            }
            assertThat(server.awaitStderr("refused streamlocal port forward", TIMEOUT))
                    .contains("(user restricted from 127.0.0.1").endsWith(": DisableForwarding yes)");
        }
    }

    // ---- Sluice client -> OpenSSH sshd ---------------------------------------------------------------------------

    @Test
    void sluiceForwardsARemoteSocketOnSshdToAPort() throws Exception {
        Path path = dir.resolve("remote.sock");
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 54, TIMEOUT);
                ManagedProcess sluice = sluiceSsh(sshd).remoteForward(path + ":127.0.0.1:" + target.port()).start()) {
            awaitSocket(path, sluice);
            assertIntact(UnixSockets.exchange(path, SIZE, Transfers.UP_SEED, TIMEOUT),
                    target.awaitConnection(0, TIMEOUT), 54);
        }
    }

    @Test
    void sluiceForwardsARemotePortOnSshdToALocalSocket() throws Exception {
        int listen = TcpPorts.free();
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                UnixSockets.SinkSource target = UnixSockets.sinkSource(dir.resolve("local.sock"), SIZE, 55, TIMEOUT);
                ManagedProcess sluice = sluiceSsh(sshd).remoteForward("127.0.0.1:" + listen + ":" + target.path())
                        .start()) {
            TcpPorts.awaitListening(listen, STARTUP, sluice);
            assertIntact(DataPump.exchange(listen, SIZE, Transfers.UP_SEED, TIMEOUT), target.awaitConnection(TIMEOUT),
                    55);
        }
    }

    @Test
    void sluiceForwardsARemoteSocketOnSshdToALocalSocket() throws Exception {
        Path path = dir.resolve("remote.sock");
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                UnixSockets.SinkSource target = UnixSockets.sinkSource(dir.resolve("local.sock"), SIZE, 56, TIMEOUT);
                ManagedProcess sluice = sluiceSsh(sshd).remoteForward(path + ":" + target.path()).start()) {
            awaitSocket(path, sluice);
            assertIntact(UnixSockets.exchange(path, SIZE, Transfers.UP_SEED, TIMEOUT),
                    target.awaitConnection(TIMEOUT), 56);
        }
    }

    @Test
    void sluiceSaysWhatSshSaysWhenSshdRefuses() throws Exception {
        Path path = dir.resolve("refused.sock");
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()),
                "AllowStreamLocalForwarding local");
                ManagedProcess sluice = sluiceSsh(sshd).remoteForward(path + ":127.0.0.1:9").start()) {
            assertThat(sluice.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(sluice.stderr()).contains("Error: remote port forwarding failed for listen path " + path);
        }
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()),
                "AllowStreamLocalForwarding local");
                ManagedProcess sluice = sluiceSsh(sshd).option("ExitOnForwardFailure", "no")
                        .remoteForward(path + ":127.0.0.1:9").start()) {
            assertThat(sluice.awaitStderr("remote port forwarding failed", STARTUP))
                    .contains("Warning: remote port forwarding failed for listen path " + path);
            assertThat(sluice.isAlive()).isTrue();
        }
    }

    @Test
    void apiForwardsARemoteSocketAndCancelsIt() throws Exception {
        Path path = dir.resolve("remote.sock");
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).logLevel("DEBUG1")
                        .start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 57, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), TunnelCipher.AES128_GCM, STARTUP)) {
            RemotePortForwarder r = new RemotePortForwarder(client.connection(),
                    RemoteForward.parse(path + ":127.0.0.1:" + target.port()));
            assertThat(r.startPath().get(30, TimeUnit.SECONDS)).isEqualTo(path.toString());
            assertIntact(UnixSockets.exchange(path, SIZE, Transfers.UP_SEED, TIMEOUT),
                    target.awaitConnection(0, TIMEOUT), 57);

            r.cancel().get(30, TimeUnit.SECONDS);
            assertThat(sshd.awaitLog("cancel-streamlocal-forward", TIMEOUT)).isNotEmpty();
            assertThat(connects(path)).as("nothing accepts on the path after cancel").isFalse();
            assertThat(client.connection().parent().isActive()).isTrue();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static void assertIntact(DataPump.Result near, DataPump.Result far, long farSeed) {
        assertThat(near.received()).as("bytes back from the far end").isEqualTo(SIZE);
        assertThat(near.receivedSha256()).isEqualTo(DataPump.sha256Of(SIZE, farSeed));
        assertThat(far.received()).as("bytes at the far end").isEqualTo(SIZE);
        assertThat(far.receivedSha256()).isEqualTo(near.sentSha256());
    }

    private static boolean connects(Path path) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitSocket(Path path, ManagedProcess owner) throws InterruptedException {
        awaitSocket(path, owner, Files::exists);
    }

    private static void awaitSocket(Path path, ManagedProcess owner, Predicate<Path> ready)
            throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        // Not probed with a connection: the far end would take it for the test's one connection.
        while (!(Files.exists(path) && ready.test(path))) {
            if (!owner.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nothing listening on " + path + "\n" + owner.describe());
            }
            Thread.sleep(20);
        }
    }

    private static void awaitGone(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (Files.exists(path)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " still there after " + STARTUP);
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
