package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
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
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every host key algorithm the installed OpenSSH supports ({@code ssh -Q HostKeyAlgorithms}) that Sluice implements,
 * SHA-1 {@code ssh-rsa} included when named: OpenSSH {@code ssh} against a Sluice server holding one key of each
 * type (the client's HostKeyAlgorithms decides, and it checks the key against known_hosts strictly), and a Sluice
 * client against {@code sshd} with a host key from {@code ssh-keygen}; each completes auth and a 1 MiB forwarded
 * transfer each way with SHA-256 checks.
 */
@ExtendWith({DumpProcessLogsOnFailure.class, AlgorithmMatrix.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostKeyInteropTest {
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final List<SshKeyPair> HOST_KEYS = List.of(SshKeyPair.generateEd25519("ed25519"),
            SshKeyPair.generateEcdsa(256, "p256"), SshKeyPair.generateEcdsa(384, "p384"),
            SshKeyPair.generateEcdsa(521, "p521"), SshKeyPair.generateRsa(2048, "rsa"));

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

    /** The host key algorithms both OpenSSH and Sluice implement. */
    static List<String> sharedAlgorithms() {
        List<String> openssh = OpenSshClient.query("HostKeyAlgorithms");
        return PublicKeys.supportedSignatureAlgorithms().stream().filter(openssh::contains).toList();
    }

    @Test
    void opensshShouldShareEveryAlgorithmSluiceImplements() {
        assertThat(sharedAlgorithms()).containsExactlyElementsOf(PublicKeys.supportedSignatureAlgorithms());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedAlgorithms")
    @AlgorithmMatrix.Case(category = "host key", client = "ssh", server = "Sluice server")
    void opensshClientShouldVerifyEachAlgorithmFromASluiceServer(String algorithm) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        HOST_KEYS, t -> t.withHostKeyAlgorithms(PublicKeys.supportedSignatureAlgorithms()));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 6, TIMEOUT);
                ManagedProcess ssh = client(server).option("HostKeyAlgorithms", algorithm).logLevel("DEBUG1")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 6, TIMEOUT);

            assertThat(ssh.stderr()).contains("kex: host key algorithm: " + algorithm)
                    .contains("Host '[127.0.0.1]:" + server.port() + "' is known and matches");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedAlgorithms")
    @AlgorithmMatrix.Case(category = "host key", client = "Sluice API", server = "sshd")
    void sluiceClientShouldVerifyEachAlgorithmFromSshd(String algorithm) throws Exception {
        String type = algorithm.startsWith("ecdsa") ? "ecdsa" : algorithm.equals("ssh-ed25519") ? "ed25519" : "rsa";
        int bits = type.equals("ecdsa") ? Integer.parseInt(algorithm.substring(algorithm.length() - 3))
                : type.equals("rsa") ? 2048 : 0;
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .hostKey(type, bits).config("HostKeyAlgorithms " + algorithm).logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 7, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t.withHostKeyAlgorithms(List.of(algorithm)), STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 7, TIMEOUT);

            assertThat(client.negotiated().hostKey()).isEqualTo(algorithm);
            assertThat(sshd.log()).contains("kex: host key algorithm: " + algorithm);
        }
    }

    @Test
    void defaultServerShouldNotOfferSha1RsaToAClientThatAsksOnlyForIt() throws Exception {
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        HOST_KEYS, t -> t);
                ManagedProcess ssh = client(server).option("HostKeyAlgorithms", "ssh-rsa")
                        .localForward(TcpPorts.free(), "127.0.0.1", 9).start()) {
            assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("no matching host key type found. Their offer: ssh-ed25519,"
                    + "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256");
            assertThat(LogCapture.await(mark, "Unable to negotiate", TIMEOUT))
                    .contains("no matching host key type found. Their offer: ssh-rsa");
        }
    }

    /** An OpenSSH client for {@code server} that knows all its host keys and requires the one it is shown. */
    private OpenSshClient client(EmbeddedSluiceServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                .option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }
}
