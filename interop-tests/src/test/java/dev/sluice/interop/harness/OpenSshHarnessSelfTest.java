package dev.sluice.interop.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the harness against OpenSSH alone ({@code ssh -N -L} to a private {@code sshd}), so that a failing Sluice
 * interop test points at Sluice, not at the harness. These tests are also the template for the Sluice tests: swap
 * either end for Sluice and keep the assertions.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
class OpenSshHarnessSelfTest {
    private static final long MIB = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;

    @BeforeEach
    void generateClientKey() throws IOException {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"})
    void tunnelShouldCarry64MiBEachWayAtOnceIntact(String cipher) throws IOException {
        long size = 64 * MIB;
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 2, TIMEOUT);
                ManagedProcess ssh = client(sshd).cipher(cipher).logLevel("DEBUG1")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            int tunnel = forwardedPort(ssh);

            DataPump.Result client = DataPump.exchange(tunnel, size, 1, TIMEOUT);
            DataPump.Result server = target.awaitConnection(0, TIMEOUT);

            assertThat(server.received()).isEqualTo(size);
            assertThat(server.receivedSha256()).isEqualTo(client.sentSha256()).isEqualTo(DataPump.sha256Of(size, 1));
            assertThat(client.received()).isEqualTo(size);
            assertThat(client.receivedSha256()).isEqualTo(server.sentSha256()).isEqualTo(DataPump.sha256Of(size, 2));
            assertThat(target.accepted()).as("the readiness wait must not open a channel").isEqualTo(1);
            assertThat(sshd.log()).contains("Accepted publickey for");
            assertThat(ssh.stderr()).contains("kex: client->server cipher: " + cipher);
        }
    }

    @Test
    void halfCloseShouldCrossTheTunnelBeforeTheReply() throws IOException {
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                ManagedProcess ssh = client(sshd).localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            // Larger than OpenSSH's 2 MiB channel window, so the request alone needs window adjusts.
            int requestSize = (int) (5 * MIB);

            TcpTargets.assertEchoAfterHalfClose(forwardedPort(ssh), requestSize, TIMEOUT);

            assertThat(target.awaitConnection(0, TIMEOUT)).isEqualTo(requestSize);
        }
    }

    @Test
    void refusedTargetShouldFailOnlyItsChannel() throws IOException {
        long size = 8 * MIB;
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpPorts.RefusedPort refused = TcpPorts.refused();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 4, TIMEOUT);
                ManagedProcess ssh = client(sshd)
                        .localForward(TcpPorts.free(), "127.0.0.1", refused.port())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            assertConnectionEndsWithoutData(forwardedPort(ssh, 0));

            assertThat(ssh.awaitStderr("open failed", TIMEOUT)).contains("connect failed");
            assertThat(sshd.awaitLog("connect_to", TIMEOUT)).contains("port " + refused.port());
            assertThat(ssh.isAlive()).isTrue();
            DataPump.Result client = DataPump.exchange(forwardedPort(ssh, 1), size, 3, TIMEOUT);
            DataPump.Result server = target.awaitConnection(0, TIMEOUT);
            assertThat(server.receivedSha256()).isEqualTo(client.sentSha256());
            assertThat(client.receivedSha256()).isEqualTo(server.sentSha256());
            assertThat(client.received()).isEqualTo(size);
        }
    }

    @Test
    void extraConfigShouldOverrideTheDefaults() throws IOException {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .config("Ciphers aes128-gcm@openssh.com").logLevel("DEBUG1").start()) {
            try (ManagedProcess refusedCipher = client(sshd).cipher("chacha20-poly1305@openssh.com")
                    .command("true").start()) {
                assertThat(refusedCipher.awaitExit(TIMEOUT)).isEqualTo(255);
                assertThat(refusedCipher.stderr()).contains("no matching cipher found");
            }
            try (ManagedProcess allowed = client(sshd).cipher("aes128-gcm@openssh.com").command("true").start()) {
                assertThat(allowed.awaitExit(TIMEOUT)).isZero();
            }
            assertThat(sshd.log()).contains("debug1:");
        }
    }

    @Test
    void unknownKeyShouldBeRejected() throws IOException {
        OpenSshKeys.KeyPairFiles stranger = OpenSshKeys.ed25519(dir, "stranger_key");
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                ManagedProcess ssh = OpenSshClient.to(sshd.port()).identity(stranger.privateKey())
                        .command("true").start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Permission denied (publickey)");
            assertThat(sshd.log()).doesNotContain("Accepted publickey");
        }
    }

    private OpenSshClient client(OpenSshServer sshd) {
        return OpenSshClient.to(sshd.port()).identity(clientKey.privateKey());
    }

    /** The listen port of the first {@code -L} in the client's command line. */
    private static int forwardedPort(ManagedProcess ssh) {
        return forwardedPort(ssh, 0);
    }

    /** The listen port of {@code -L} number {@code n} (0-based) in the client's command line. */
    private static int forwardedPort(ManagedProcess ssh, int n) {
        List<String> command = ssh.command();
        int seen = 0;
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals("-L") && seen++ == n) {
                List<String> fields = OpenSshClient.splitSpec(command.get(i + 1));
                return Integer.parseInt(fields.get(fields.size() - 3));
            }
        }
        throw new IllegalArgumentException("no -L number " + n + " in " + command);
    }

    /** Connects and expects the tunnel to close the connection (EOF or reset) without sending anything. */
    private static void assertConnectionEndsWithoutData(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(TcpPorts.loopback(), port), 10_000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            InputStream in = socket.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (IOException reset) {
                first = -1;
            }
            assertThat(first).as("a connection whose target refused must end without data").isEqualTo(-1);
        }
    }
}
