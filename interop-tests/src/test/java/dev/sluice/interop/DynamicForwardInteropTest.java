package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DataPump;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.HttpTarget;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
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
 * Dynamic forwarding (-D) with real peers: {@code sluice ssh -D} in front of OpenSSH's sshd, and OpenSSH's
 * {@code ssh -D} in front of a Sluice server (which sees only the direct-tcpip channels OpenSSH's SOCKS server
 * opens). curl is the SOCKS client, in each of its four modes, downloading and uploading through the proxy to a
 * loopback HTTP server; every transfer is checked by SHA-256.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DynamicForwardInteropTest {
    private static final long SIZE = 8L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final String CURL = "/usr/bin/curl";

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

    /** curl's SOCKS modes: who resolves "localhost" differs (the SSH server for -hostname and 4a, curl otherwise). */
    @ParameterizedTest
    @ValueSource(strings = {"--socks5-hostname", "--socks5", "--socks4a", "--socks4"})
    void sluiceSshDynamicForwardToOpenSshCarriesCurlBothWaysIntact(String mode) throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                HttpTarget http = HttpTarget.start(TcpPorts.loopback());
                ManagedProcess ssh = sluiceSsh(sshd).dynamicForward(TcpPorts.free()).startForwarding(STARTUP)) {
            int socks = Tunnels.forwardedDynamicPort(ssh.command(), 0);

            assertDownloadAndUploadIntact(mode, socks, host(mode), http);

            assertThat(http.requests()).isEqualTo(2);
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void sluiceSshDynamicForwardReachesAnIpv6Target() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                HttpTarget http = HttpTarget.start(InetAddress.getByName("::1"));
                ManagedProcess ssh = sluiceSsh(sshd).dynamicForward(TcpPorts.free()).startForwarding(STARTUP)) {
            assertDownloadAndUploadIntact("--socks5", Tunnels.forwardedDynamicPort(ssh.command(), 0), "[::1]",
                    http);
        }
    }

    @Test
    void aRefusedTargetReachesCurlAsSocks5ConnectionRefused() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                TcpPorts.RefusedPort refused = TcpPorts.refused();
                HttpTarget http = HttpTarget.start(TcpPorts.loopback());
                ManagedProcess ssh = sluiceSsh(sshd).dynamicForward(TcpPorts.free()).startForwarding(STARTUP)) {
            int socks = Tunnels.forwardedDynamicPort(ssh.command(), 0);
            try (ManagedProcess curl = curl("--socks5-hostname", socks, "-o", "/dev/null",
                    "http://localhost:" + refused.port() + "/")) {
                assertThat(curl.awaitExit(TIMEOUT)).as("curl's exit status for a proxy failure").isEqualTo(97);
                // curl prints the SOCKS5 reply code: 5 is "connection refused".
                assertThat(curl.stderr()).contains("Can't complete SOCKS5 connection").contains("(5)");
            }
            assertThat(ssh.awaitStderr("open failed", TIMEOUT))
                    .contains("open failed: connect failed: Connection refused");
            // The same SSH connection still forwards.
            assertDownloadAndUploadIntact("--socks5-hostname", socks, "localhost", http);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--socks5-hostname", "--socks5", "--socks4a", "--socks4"})
    void openSshDynamicForwardToSluiceServerCarriesCurlBothWaysIntact(String mode) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                HttpTarget http = HttpTarget.start(TcpPorts.loopback())) {
            int socks = TcpPorts.free();
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                    .dynamicForward("127.0.0.1:" + socks).startForwarding(STARTUP)) {
                assertDownloadAndUploadIntact(mode, socks, host(mode), http);
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    private static String host(String mode) {
        return mode.equals("--socks5-hostname") || mode.equals("--socks4a") ? "localhost" : "127.0.0.1";
    }

    private void assertDownloadAndUploadIntact(String mode, int socks, String host, HttpTarget http)
            throws Exception {
        assertCurlDownloadAndUploadIntact(dir, mode, socks, host, http);
    }

    /**
     * GETs {@link #SIZE} seeded bytes and PUTs as many random ones with curl through the SOCKS proxy at
     * {@code 127.0.0.1:socks} ({@code mode} is curl's option for it), checking both by SHA-256; files go to
     * {@code dir}.
     */
    static void assertCurlDownloadAndUploadIntact(Path dir, String mode, int socks, String host, HttpTarget http)
            throws Exception {
        String base = "http://" + host + ":" + http.port();
        Path downloaded = dir.resolve("download-" + System.nanoTime());
        try (ManagedProcess curl = curl(mode, socks, "-o", downloaded.toString(),
                base + HttpTarget.downloadPath(SIZE, 7))) {
            assertThat(curl.awaitExit(TIMEOUT)).as("curl download exit status; stderr: %s", curl.stderr())
                    .isEqualTo(0);
        }
        assertThat(Files.size(downloaded)).isEqualTo(SIZE);
        assertThat(sha256(downloaded)).as("SHA-256 of the download").isEqualTo(DataPump.sha256Of(SIZE, 7));

        Path upload = randomFile(dir, SIZE);
        try (ManagedProcess curl = curl(mode, socks, "-T", upload.toString(), base + HttpTarget.UPLOAD_PATH)) {
            assertThat(curl.awaitExit(TIMEOUT)).as("curl upload exit status; stderr: %s", curl.stderr())
                    .isEqualTo(0);
            assertThat(curl.stdout().strip()).as("SHA-256 of what reached the server").isEqualTo(sha256(upload));
        }
    }

    private static ManagedProcess curl(String mode, int socks, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(CURL, "-sS", "--fail", "--max-time", "60", mode,
                "127.0.0.1:" + socks));
        command.addAll(List.of(args));
        return ManagedProcess.start("curl " + mode, command);
    }

    private SluiceSshCommand sluiceSsh(OpenSshServer sshd) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        return SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey()).knownHosts(knownHosts);
    }

    private static Path randomFile(Path dir, long size) throws IOException {
        Path file = dir.resolve("upload-" + System.nanoTime());
        SplittableRandom random = new SplittableRandom(size);
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(left, block.length));
            }
        }
        return file;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
