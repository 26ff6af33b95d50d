package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DropbearClient;
import dev.sluice.interop.harness.DropbearKeys;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.message.KexInit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dropbear's client, {@code dbclient}, against a Sluice server: every key exchange method, host key algorithm,
 * cipher, MAC and compression method that both implement (the shared set taken from the KEXINIT dbclient sends), and
 * each kind of user key, converted for dbclient with {@code dropbearconvert}. The Sluice server offers only the
 * algorithm under test, so a connection that works used it; dbclient pins the server's key in its known_hosts. Each
 * case authenticates by publickey and moves 1 MiB each way at once through {@code dbclient -L} with SHA-256 checks.
 */
@ExtendWith({DumpProcessLogsOnFailure.class, AlgorithmMatrix.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DropbearClientInteropTest {
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static Path clientKey;
    private static final List<String> AUTHORIZED = new ArrayList<>();
    /** dbclient's key files by key type, converted from ssh-keygen's keys. */
    private static final Map<String, Path> USER_KEYS = new LinkedHashMap<>();
    private static KexInit offer;

    @BeforeAll
    static void prepare() throws Exception {
        LogCapture.install();
        OpenSshKeys.KeyPairFiles ed25519 = OpenSshKeys.ed25519(dir, "client_key");
        clientKey = DropbearKeys.fromOpenSsh(ed25519.privateKey(), dir.resolve("client_key.dropbear"));
        AUTHORIZED.add(ed25519.publicKeyLine());
        for (Object[] spec : new Object[][] {{"ecdsa", 256}, {"ecdsa", 384}, {"ecdsa", 521}, {"rsa", 3072}}) {
            OpenSshKeys.KeyPairFiles key = OpenSshKeys.generate(dir, "user_" + spec[0] + spec[1], (String) spec[0],
                    (Integer) spec[1]);
            USER_KEYS.put(key.publicKeyLine().split(" ")[0],
                    DropbearKeys.fromOpenSsh(key.privateKey(), dir.resolve("user_" + spec[0] + spec[1] + ".db")));
            AUTHORIZED.add(key.publicKeyLine());
        }
        offer = ClientOffer.of(port -> {
            try {
                return DropbearClient.to(port).home(dir).knownHostKey(ed25519.publicKeyLine()).identity(clientKey)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, STARTUP);
    }

    static List<String> kexMethods() {
        return KexMethods.supportedNames().stream().filter(offer.kexAlgorithms()::contains).toList();
    }

    static List<String> hostKeyAlgorithms() {
        return PublicKeys.supportedSignatureAlgorithms().stream().filter(offer.serverHostKeyAlgorithms()::contains)
                .toList();
    }

    static List<String> ciphers() {
        return Ciphers.defaultNames().stream().filter(offer.encryptionClientToServer()::contains).toList();
    }

    static List<String> macs() {
        List<String> ours = new ArrayList<>(Macs.defaultNames());
        ours.addAll(Macs.optInNames());
        return ours.stream().filter(offer.macClientToServer()::contains).toList();
    }

    static List<String> compressions() {
        return TransportConfig.CLIENT_COMPRESSION.stream().filter(offer.compressionClientToServer()::contains)
                .toList();
    }

    static List<String> userKeyTypes() {
        return List.copyOf(USER_KEYS.keySet());
    }

    @Test
    void dbclientShouldShareTheAlgorithmsItDocuments() {
        assertThat(kexMethods()).contains("curve25519-sha256", "ecdh-sha2-nistp256", "diffie-hellman-group14-sha256");
        assertThat(hostKeyAlgorithms()).contains("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-256");
        assertThat(ciphers()).containsExactly("chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-ctr");
        assertThat(macs()).contains("hmac-sha2-256");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kexMethods")
    @AlgorithmMatrix.Case(category = "kex", client = "dbclient", server = "Sluice server")
    void dbclientShouldCompleteEachKexWithASluiceServer(String kex) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withKexAlgorithms(List.of(kex)), clientKey, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostKeyAlgorithms")
    @AlgorithmMatrix.Case(category = "host key", client = "dbclient", server = "Sluice server")
    void dbclientShouldVerifyEachHostKeyAlgorithmFromASluiceServer(String algorithm) throws Exception {
        SshKeyPair hostKey = algorithm.equals("ssh-ed25519") ? SshKeyPair.generateEd25519("host")
                : algorithm.startsWith("ecdsa-sha2-nistp")
                        ? SshKeyPair.generateEcdsa(Integer.parseInt(algorithm.substring(16)), "host")
                        : SshKeyPair.generateRsa(2048, "host");
        tunnel(hostKey, t -> t.withHostKeyAlgorithms(List.of(algorithm)), clientKey, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciphers")
    @AlgorithmMatrix.Case(category = "cipher", client = "dbclient", server = "Sluice server")
    void dbclientShouldUseEachCipherWithASluiceServer(String cipher) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withCiphers(List.of(cipher)), clientKey, cipher, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("macs")
    @AlgorithmMatrix.Case(category = "mac", client = "dbclient", server = "Sluice server")
    void dbclientShouldUseEachMacWithASluiceServer(String mac) throws Exception {
        String cipher = ciphers().stream().filter(c -> c.endsWith("-ctr")).findFirst().orElseThrow();
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withCiphers(List.of(cipher)).withMacs(List.of(mac)),
                clientKey, cipher, mac);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    @AlgorithmMatrix.Case(category = "compression", client = "dbclient", server = "Sluice server")
    void dbclientShouldUseEachCompressionWithASluiceServer(String compression) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withCompression(List.of(compression)), clientKey, null,
                null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userKeyTypes")
    @AlgorithmMatrix.Case(category = "user key", client = "dbclient", server = "Sluice server")
    void dbclientShouldAuthenticateWithEachKeyTypeToASluiceServer(String keyType) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t, USER_KEYS.get(keyType), null, null);
    }

    /**
     * Starts a Sluice server with {@code hostKey} and the settings {@code configure} makes, connects dbclient with
     * {@code identity} (and {@code -c cipher}, {@code -m mac} when given) and moves 1 MiB each way through its
     * forward.
     */
    private static void tunnel(SshKeyPair hostKey, UnaryOperator<TransportConfig> configure, Path identity,
            String cipher, String mac) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, AUTHORIZED, List.of(hostKey), configure);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 31, TIMEOUT)) {
            DropbearClient dbclient = DropbearClient.to(server.port()).home(Files.createTempDirectory(dir, "home"))
                    .knownHostKey(server.hostPublicKeyLine()).identity(identity)
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port());
            if (cipher != null) {
                dbclient.cipher(cipher);
            }
            if (mac != null) {
                dbclient.mac(mac);
            }
            try (ManagedProcess process = dbclient.startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(process.command(), 0), target, 0, SIZE, 31, TIMEOUT);
            }
        }
    }
}
