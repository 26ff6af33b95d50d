package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jump hosts (-J) across implementations: {@code sluice ssh -J} through OpenSSH's sshd to a Sluice server and through
 * a Sluice server to sshd, and OpenSSH's {@code ssh -J} through two Sluice servers to a third. Each chain ends in an
 * {@code -L} forward that carries seeded data both ways, checked by SHA-256; the jump servers' logs show that the
 * next hop ran inside a direct-tcpip channel.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JumpHostInteropTest {
    private static final long SIZE = 32L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final String USER = System.getProperty("user.name");

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
    void sluiceSshThroughAnOpenSshJumpToASluiceServer() throws Exception {
        try (OpenSshServer jump = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .logLevel("DEBUG1").start();
                EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 9, TIMEOUT);
                ManagedProcess ssh = sluiceSsh(server.port(), jump.knownHostsLine(), server.knownHostsLine())
                        .jump(USER + "@127.0.0.1:" + jump.port())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 9, TIMEOUT);

            assertThat(jump.awaitLog("server_request_direct_tcpip", TIMEOUT))
                    .contains("target 127.0.0.1 port " + server.port());
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void sluiceSshThroughASluiceJumpToOpenSsh() throws Exception {
        try (EmbeddedSluiceServer jump = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 10, TIMEOUT);
                ManagedProcess ssh = sluiceSsh(sshd.port(), jump.knownHostsLine(), sshd.knownHostsLine())
                        .jump("127.0.0.1:" + jump.port())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 10, TIMEOUT);

            assertThat(sshd.log()).contains("Accepted publickey for " + USER);
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void aHostKeyMismatchBehindTheJumpFailsAsSshDoes() throws Exception {
        try (EmbeddedSluiceServer jump = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                // known_hosts names the jump's key for the target too: the target's real key must be refused.
                ManagedProcess ssh = sluiceSsh(sshd.port(), jump.knownHostsLine(),
                        "[127.0.0.1]:" + sshd.port() + " " + jump.hostPublicKeyLine())
                        .jump("127.0.0.1:" + jump.port()).start()) {
            assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!")
                    .contains("Host key verification failed.");
        }
    }

    @Test
    void openSshThroughTwoSluiceJumpsToASluiceServer() throws Exception {
        try (EmbeddedSluiceServer first = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                EmbeddedSluiceServer second = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        null);
                EmbeddedSluiceServer last = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 11, TIMEOUT)) {
            // ssh runs each jump as "ssh -W" with only -F passed on, so the jump settings live in a config file.
            Path config = Files.write(dir.resolve("ssh_config"), List.of("Host *",
                    "  StrictHostKeyChecking no", "  UserKnownHostsFile /dev/null", "  BatchMode yes",
                    "  IdentitiesOnly yes", "  IdentityFile " + clientKey.privateKey(), "  LogLevel ERROR"));
            int listen = TcpPorts.free();
            try (ManagedProcess ssh = OpenSshClient.to(last.port()).identity(clientKey.privateKey())
                    .localForward(listen, "127.0.0.1", target.port())
                    .args("-F", config.toString(), "-J", "127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port())
                    .startForwarding(STARTUP)) {
                Transfers.assertIntact(listen, target, 0, SIZE, 11, TIMEOUT);
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    private SluiceSshCommand sluiceSsh(int port, String... knownHostsLines) throws IOException {
        Path knownHosts = Files.write(dir.resolve("known_hosts"), List.of(knownHostsLines));
        return SluiceSshCommand.to(port).identity(clientKey.privateKey()).knownHosts(knownHosts);
    }
}
