package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.Negotiated;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Sluice client against a private OpenSSH {@code sshd}, two ways: through the Java API in this JVM
 * ({@link SluiceApiClient}: SshClient and LocalPortForwarder), and as the {@code sluice ssh -N -L} command in its own
 * process ({@link SluiceSshCommand}). Bulk data both ways with each cipher forced on both ends, a refused target,
 * and half-close.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SluiceClientToOpenSshServerTest {
    private static final long MIB = 1 << 20;
    private static final long BULK = 256 * MIB;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP = Duration.ofSeconds(30);

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
    @EnumSource(TunnelCipher.class)
    void apiTunnelShouldCarry256MiBEachWayAtOnceIntact(TunnelCipher cipher) throws Exception {
        try (OpenSshServer sshd = sshd(cipher);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(BULK, 2, TIMEOUT);
                SluiceApiClient client = apiClient(sshd, cipher)) {
            int tunnel = client.forward("127.0.0.1", target.port());

            double rate = Transfers.assertIntact(tunnel, target, 0, BULK, 2, TIMEOUT);

            Transfers.report("Sluice API client -L -> OpenSSH sshd", cipher, BULK, rate);
            Negotiated n = client.negotiated();
            assertThat(n.cipherClientToServer()).isEqualTo(cipher.wireName);
            assertThat(n.cipherServerToClient()).isEqualTo(cipher.wireName);
            assertThat(target.accepted()).isEqualTo(1);
            assertThat(sshd.log()).contains("Accepted publickey for " + System.getProperty("user.name"))
                    .contains("kex: client->server cipher: " + cipher.wireName);
            assertThat(client.connection().parent().isActive()).as("SSH connection still up").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(TunnelCipher.class)
    void commandTunnelShouldCarry256MiBEachWayAtOnceIntact(TunnelCipher cipher) throws Exception {
        try (OpenSshServer sshd = sshd(cipher);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(BULK, 2, TIMEOUT);
                ManagedProcess ssh = command(sshd).cipher(cipher)
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            double rate = Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, BULK, 2,
                    TIMEOUT);

            Transfers.report("sluice ssh -N -L (process) -> OpenSSH sshd", cipher, BULK, rate);
            assertThat(target.accepted()).isEqualTo(1);
            assertThat(sshd.log()).contains("Accepted publickey for " + System.getProperty("user.name"))
                    .contains("kex: client->server cipher: " + cipher.wireName)
                    .contains("kex: server->client cipher: " + cipher.wireName);
            assertThat(ssh.isAlive()).as("sluice ssh still running after the transfer").isTrue();
        }
    }

    @Test
    void apiRefusedTargetShouldCloseOnlyItsSocket() throws Exception {
        long size = 8 * MIB;
        try (OpenSshServer sshd = sshd(null);
                TcpPorts.RefusedPort refused = TcpPorts.refused();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 4, TIMEOUT);
                SluiceApiClient client = apiClient(sshd, TunnelCipher.AES128_GCM)) {
            int refusedTunnel = client.forward("127.0.0.1", refused.port());
            int goodTunnel = client.forward("127.0.0.1", target.port());
            long mark = LogCapture.mark();

            Tunnels.assertConnectionEndsWithoutData(refusedTunnel, TIMEOUT);

            assertThat(LogCapture.await(mark, "open failed", TIMEOUT))
                    .contains("open failed: connect failed: Connection refused");
            assertThat(sshd.awaitLog("connect_to", TIMEOUT)).contains("port " + refused.port());
            Tunnels.assertConnectionEndsWithoutData(refusedTunnel, TIMEOUT);
            Transfers.assertIntact(goodTunnel, target, 0, size, 4, TIMEOUT);
            assertThat(client.connection().parent().isActive()).isTrue();
        }
    }

    @Test
    void commandRefusedTargetShouldCloseOnlyItsSocket() throws Exception {
        long size = 8 * MIB;
        try (OpenSshServer sshd = sshd(null);
                TcpPorts.RefusedPort refused = TcpPorts.refused();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 4, TIMEOUT);
                ManagedProcess ssh = command(sshd)
                        .localForward(TcpPorts.free(), "127.0.0.1", refused.port())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            Tunnels.assertConnectionEndsWithoutData(Tunnels.forwardedPort(ssh.command(), 0), TIMEOUT);

            // What OpenSSH's ssh prints at LogLevel INFO for the same failure.
            assertThat(ssh.awaitStderr("open failed", TIMEOUT))
                    .contains("open failed: connect failed: Connection refused");
            Tunnels.assertConnectionEndsWithoutData(Tunnels.forwardedPort(ssh.command(), 0), TIMEOUT);
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 1), target, 0, size, 4, TIMEOUT);
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void commandShouldExitWith255WhenTheServerRefusesTheCipher() throws Exception {
        try (OpenSshServer sshd = sshd(TunnelCipher.AES128_GCM);
                ManagedProcess ssh = command(sshd).cipher(TunnelCipher.CHACHA20_POLY1305)
                        .localForward(TcpPorts.free(), "127.0.0.1", 9).start()) {
            assertThat(ssh.awaitExit(STARTUP)).as("exit status, as ssh's on a failed connection").isEqualTo(255);
            assertThat(ssh.stderr()).contains("no matching cipher found");
            assertThat(sshd.awaitLog("no matching cipher found", TIMEOUT)).contains("Unable to negotiate");
        }
    }

    /** 64 bytes: a request that arrives with its FIN; 5 MiB: more than a channel window, so it needs adjusts. */
    @ParameterizedTest
    @ValueSource(ints = {64, 5 << 20})
    void apiHalfCloseShouldCrossTheTunnelBeforeTheWholeReply(int requestSize) throws Exception {
        try (OpenSshServer sshd = sshd(null);
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                SluiceApiClient client = apiClient(sshd, TunnelCipher.CHACHA20_POLY1305)) {
            int tunnel = client.forward("127.0.0.1", target.port());

            Tunnels.assertEchoAfterHalfClose(tunnel, target, 0, requestSize, TIMEOUT);
            // And again on the same connection: the first channel's half-close left nothing behind.
            Tunnels.assertEchoAfterHalfClose(tunnel, target, 1, requestSize, TIMEOUT);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 5 << 20})
    void commandHalfCloseShouldCrossTheTunnelBeforeTheWholeReply(int requestSize) throws Exception {
        try (OpenSshServer sshd = sshd(null);
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                ManagedProcess ssh = command(sshd).localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            int tunnel = Tunnels.forwardedPort(ssh.command(), 0);

            Tunnels.assertEchoAfterHalfClose(tunnel, target, 0, requestSize, TIMEOUT);
            // And again on the same connection: the first channel's half-close left nothing behind.
            Tunnels.assertEchoAfterHalfClose(tunnel, target, 1, requestSize, TIMEOUT);
        }
    }

    /** A private sshd that accepts the client key; with a cipher, only that one (and it logs the kex choice). */
    private OpenSshServer sshd(TunnelCipher cipher) throws IOException {
        OpenSshServer.Builder builder = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .logLevel("DEBUG1");
        if (cipher != null) {
            builder.config("Ciphers " + cipher.wireName);
        }
        return builder.start();
    }

    private SluiceApiClient apiClient(OpenSshServer sshd, TunnelCipher cipher) throws IOException {
        return SluiceApiClient.connect(sshd.port(), clientKey.privateKey(), sshd.hostPublicKeyLine(), cipher, STARTUP);
    }

    private SluiceSshCommand command(OpenSshServer sshd) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        return SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey()).knownHosts(knownHosts);
    }
}
