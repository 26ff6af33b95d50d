package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.Negotiated;
import dev.sluice.transport.RekeyLimit;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportSession;
import java.io.IOException;
import java.nio.file.Files;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compression against OpenSSH both ways: {@code ssh -C} to a Sluice server offering {@code zlib@openssh.com} (as
 * sshd does by default) or plain {@code zlib}, and Sluice clients asking for compression from {@code sshd}. Each
 * moves 4 MiB each way through a forward, hashed, with compression running in both directions.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CompressionInteropTest {
    private static final long SIZE = 4 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);

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

    @ParameterizedTest
    @ValueSource(strings = {"zlib@openssh.com", "zlib"})
    void openSshClientWithDashCShouldTunnelThroughACompressingSluiceServer(String compression) throws Exception {
        List<String> offer = compression.equals("zlib") ? List.of("zlib", "none") : TransportConfig.SERVER_COMPRESSION;
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startTuned(dir, List.of(clientKey.publicKeyLine()),
                t -> t.withCompression(offer));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 6, TIMEOUT)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .args("-C").logLevel("DEBUG1").localForward(TcpPorts.free(), "127.0.0.1", target.port())
                    .startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 6, TIMEOUT);

                assertThat(ssh.stderr()).contains("compression: " + compression)
                        .contains("Enabling compression at level 6");
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    @Test
    void sluiceApiClientShouldUseDelayedCompressionWithSshd() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 7, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t.withCompression(TransportConfig.CLIENT_COMPRESSION),
                        STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 7, TIMEOUT);

            Negotiated n = client.negotiated();
            assertThat(n.compressionClientToServer()).isEqualTo("zlib@openssh.com");
            assertThat(n.compressionServerToClient()).isEqualTo("zlib@openssh.com");
            assertThat(sshd.log()).contains("compression: zlib@openssh.com")
                    .contains("Enabling compression at level 6");
        }
    }

    /** Each NEWKEYS restarts both zlib streams, on both sides alike (OpenSSH's ssh_set_newkeys does). */
    @Test
    void compressionShouldSurviveRekeysInBothPairings() throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startTuned(dir, List.of(clientKey.publicKeyLine()),
                t -> t.withCompression(TransportConfig.SERVER_COMPRESSION));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 9, TIMEOUT)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .option("RekeyLimit", "256K").args("-C").logLevel("DEBUG1")
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 9, TIMEOUT);
                assertThat(ssh.stderr().split("SSH2_MSG_NEWKEYS received", -1).length - 1)
                        .as("key exchanges ssh completed").isGreaterThan(4);
            }
        }
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 10, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t.withCompression(TransportConfig.CLIENT_COMPRESSION)
                                .withRekeyLimit(RekeyLimit.parse("256K")), STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 10, TIMEOUT);
            assertThat(TransportSession.of(client.connection().parent()).keyExchanges()).isGreaterThan(4);
            assertThat(client.negotiated().compressionServerToClient()).isEqualTo("zlib@openssh.com");
        }
    }

    @Test
    void sluiceSshCommandShouldCompressWithDashC() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 8, TIMEOUT)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("Compression", "yes")
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 8, TIMEOUT);
                assertThat(sshd.log()).contains("compression: zlib@openssh.com")
                        .contains("Enabling compression at level 6");
            }
        }
    }
}
