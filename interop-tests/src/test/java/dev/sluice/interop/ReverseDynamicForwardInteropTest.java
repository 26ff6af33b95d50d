package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.HttpTarget;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
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
 * Reverse dynamic forwarding ({@code -R [bind_address:]port} with no target, OpenSSH 7.6+) with real peers:
 * {@code sluice ssh -R 0} against OpenSSH's sshd, where the Sluice client is the SOCKS server for what connects to
 * sshd's port, and OpenSSH's {@code ssh -R 0} against the Sluice server, where OpenSSH's ssh is. curl on the server's
 * side is the SOCKS client, fetching from and uploading to a loopback HTTP server with SHA-256 checked both ways.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReverseDynamicForwardInteropTest {
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

    /** curl's host-name modes: the name reaches the SOCKS server, which is the Sluice client here. */
    @ParameterizedTest
    @ValueSource(strings = {"--socks5-hostname", "--socks4a", "--socks5"})
    void sluiceSshReverseDynamicForwardServesCurlThroughSshd(String mode) throws Exception {
        Path knownHosts;
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                HttpTarget http = HttpTarget.start(TcpPorts.loopback())) {
            knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).remoteForward("0").start()) {
                int port = RemoteForwardInteropTest.allocatedPort(ssh, "socks:0");

                DynamicForwardInteropTest.assertCurlDownloadAndUploadIntact(dir, mode, port,
                        mode.equals("--socks5") ? "127.0.0.1" : "localhost", http);

                assertThat(http.requests()).isEqualTo(2);
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    @Test
    void theRemoteForwardKeywordWithABindAddressAlsoServesSocks() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                HttpTarget http = HttpTarget.start(TcpPorts.loopback())) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            int listen = TcpPorts.free();
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("RemoteForward", "127.0.0.1:" + listen).start()) {
                TcpPorts.awaitListening(listen, Duration.ofSeconds(30), ssh);

                DynamicForwardInteropTest.assertCurlDownloadAndUploadIntact(dir, "--socks5-hostname", listen,
                        "localhost", http);
            }
        }
    }

    @Test
    void aRefusedTargetReachesCurlAsSocks5ConnectionRefused() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                TcpPorts.RefusedPort refused = TcpPorts.refused()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).remoteForward("0").start()) {
                int port = RemoteForwardInteropTest.allocatedPort(ssh, "socks:0");
                try (ManagedProcess curl = ManagedProcess.start("curl", List.of("/usr/bin/curl", "-sS",
                        "--max-time", "60", "--socks5-hostname", "127.0.0.1:" + port, "-o", "/dev/null",
                        "http://localhost:" + refused.port() + "/"))) {
                    assertThat(curl.awaitExit(Duration.ofSeconds(60))).isEqualTo(97);
                    assertThat(curl.stderr()).contains("Can't complete SOCKS5 connection").contains("(5)");
                }
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    /**
     * PermitRemoteOpen (OpenSSH 8.2+) limits where the SOCKS requests may go: the listed destination works, any
     * other is refused as "not allowed by ruleset" with ssh's log line, and the forwarding stays for the next one.
     */
    @Test
    void permitRemoteOpenLetsOnlyTheListedDestinationsThrough() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                HttpTarget http = HttpTarget.start(TcpPorts.loopback())) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("PermitRemoteOpen", "localhost:" + http.port() + " db:*")
                    .remoteForward("0").start()) {
                int port = RemoteForwardInteropTest.allocatedPort(ssh, "socks:0");
                // Matched as written, without lookups: 127.0.0.1 is not localhost.
                try (ManagedProcess curl = ManagedProcess.start("curl", List.of("/usr/bin/curl", "-sS",
                        "--max-time", "60", "--socks5-hostname", "127.0.0.1:" + port, "-o", "/dev/null",
                        "http://127.0.0.1:" + http.port() + "/"))) {
                    assertThat(curl.awaitExit(Duration.ofSeconds(60))).isEqualTo(97);
                    assertThat(curl.stderr()).contains("Can't complete SOCKS5 connection").contains("(2)");
                }
                assertThat(ssh.awaitStderr("requested forward not permitted", Duration.ofSeconds(30)))
                        .contains("host 127.0.0.1 port " + http.port());
                assertThat(http.requests()).isZero();

                DynamicForwardInteropTest.assertCurlDownloadAndUploadIntact(dir, "--socks5-hostname", port,
                        "localhost", http);
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--socks5-hostname", "--socks4a"})
    void openSshReverseDynamicForwardThroughTheSluiceServer(String mode) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                HttpTarget http = HttpTarget.start(TcpPorts.loopback());
                ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                        .remoteForward("0").start()) {
            int port = RemoteForwardInteropTest.allocatedPort(ssh, "socks:0");

            DynamicForwardInteropTest.assertCurlDownloadAndUploadIntact(dir, mode, port, "localhost", http);

            assertThat(ssh.isAlive()).isTrue();
        }
    }
}
