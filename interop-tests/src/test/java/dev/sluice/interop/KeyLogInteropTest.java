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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Session key logging for Wireshark: Sluice, with a key log file, talks to OpenSSH while dumpcap captures the
 * loopback traffic; Debian's tshark, given only the capture and the key log ({@code -o ssh.keylog_file:…}), must then
 * show the CHANNEL_DATA that the client sent through a forwarded channel. Both roles: the Sluice client logs its
 * cookie and key against sshd, the Sluice server logs its own against ssh.
 *
 * <p>tshark 4.0 (Debian 12) decrypts {@code curve25519-sha256} sessions only with {@code aes128-gcm@openssh.com},
 * {@code aes256-gcm@openssh.com} and {@code chacha20-poly1305@openssh.com}, and the last only without strict KEX (it
 * predates the sequence number reset, which ChaCha20's nonce depends on); the AES-GCM ciphers are tested here.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KeyLogInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Wireshark recomputes the secret from an X25519 key; the default ML-KEM and sntrup hybrids it cannot. */
    private static final List<String> CURVE25519 = List.of("curve25519-sha256");

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;
    private Path keyLog;
    private Path capture;
    private byte[] marker;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void setUp() throws IOException {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        keyLog = dir.resolve("sshkeylog.txt");
        capture = dir.resolve("capture.pcapng");
        marker = ("sluice-keylog-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com"})
    void tsharkShouldDecryptASluiceClientSessionWithItsKeyLog(String cipher) throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).start();
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT)) {
            try (ManagedProcess dumpcap = startCapture(sshd.port())) {
                try (SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(),
                        t -> t.withCiphers(List.of(cipher)).withKexAlgorithms(CURVE25519).withKeyLogFile(keyLog),
                        TIMEOUT)) {
                    sendMarker(client.forward("127.0.0.1", target.port()));
                }
                awaitCaptured(dumpcap);
            }
            assertDecryptsToTheMarker(sshd.port());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com"})
    void tsharkShouldDecryptASluiceServerSessionWithItsKeyLog(String cipher) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startTuned(dir, List.of(clientKey.publicKeyLine()),
                t -> t.withCiphers(List.of(cipher)).withKexAlgorithms(CURVE25519).withKeyLogFile(keyLog));
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
            try (ManagedProcess dumpcap = startCapture(server.port())) {
                try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                        .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(TIMEOUT)) {
                    sendMarker(Tunnels.forwardedPort(ssh.command(), 0));
                }
                awaitCaptured(dumpcap);
            }
            assertDecryptsToTheMarker(server.port());
        }
    }

    private ManagedProcess startCapture(int port) throws IOException {
        ManagedProcess dumpcap = ManagedProcess.start("dumpcap", List.of("dumpcap", "-i", "lo", "-f",
                "tcp port " + port, "-w", capture.toString()));
        dumpcap.awaitStderr("File:", TIMEOUT);
        return dumpcap;
    }

    /** dumpcap writes what it has when it is stopped; a moment first lets the last segments reach it. */
    private static void awaitCaptured(ManagedProcess dumpcap) throws InterruptedException {
        Thread.sleep(300);
        dumpcap.close();
    }

    private void sendMarker(int tunnelPort) throws IOException {
        assertThat(TcpTargets.sendThenReadUntilEof(tunnelPort, marker, TIMEOUT)).isEqualTo(marker);
    }

    private void assertDecryptsToTheMarker(int sshPort) throws IOException, InterruptedException {
        assertThat(Files.readString(keyLog)).as("one line per key exchange: cookie and private key")
                .matches("[0-9a-f]{32} [0-9a-f]{64}\n");
        Process tshark = new ProcessBuilder("tshark", "-r", capture.toString(), "-o", "ssh.keylog_file:" + keyLog,
                "-d", "tcp.port==" + sshPort + ",ssh", "-Y", "ssh.message_code == 94", "-T", "fields",
                "-e", "ssh.payload").redirectErrorStream(true).start();
        String payloads = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tshark.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // CHANNEL_DATA (94), recipient channel 0, then the data as an SSH string.
        String channelData = "5e" + "00000000" + String.format("%08x", marker.length) + HexFormat.of().formatHex(marker);
        assertThat(payloads).as("CHANNEL_DATA payloads tshark decrypted").contains(channelData);
    }
}
