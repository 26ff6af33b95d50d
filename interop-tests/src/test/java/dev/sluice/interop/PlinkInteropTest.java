package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.session.SessionConfig;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.PlinkClient;
import dev.sluice.interop.harness.PuttyKeys;
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
 * PuTTY's {@code plink} against a Sluice server: every key exchange method, host key algorithm, cipher, MAC and
 * compression method that both implement (the shared set taken from the KEXINIT plink sends), each kind of user key
 * as a {@code .ppk} made by {@code puttygen} from ssh-keygen's key, and a remote command. plink runs in batch mode
 * with the host key pinned by fingerprint ({@code -hostkey}) and the algorithm's PuTTY group preferred in a saved
 * session; the Sluice server offers only the algorithm under test. Each tunnel case moves 1 MiB each way at once
 * through {@code plink -L} with SHA-256 checks.
 */
@ExtendWith({DumpProcessLogsOnFailure.class, AlgorithmMatrix.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PlinkInteropTest {
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static Path clientKey;
    private static final List<String> AUTHORIZED = new ArrayList<>();
    /** plink's key files by key type, converted from ssh-keygen's keys. */
    private static final Map<String, Path> USER_KEYS = new LinkedHashMap<>();
    private static KexInit offer;

    @BeforeAll
    static void prepare() throws Exception {
        LogCapture.install();
        OpenSshKeys.KeyPairFiles ed25519 = OpenSshKeys.ed25519(dir, "client_key");
        clientKey = PuttyKeys.ppkFromOpenSsh(ed25519.privateKey(), dir.resolve("client_key.ppk"));
        AUTHORIZED.add(ed25519.publicKeyLine());
        for (Object[] spec : new Object[][] {{"ecdsa", 256}, {"ecdsa", 384}, {"ecdsa", 521}, {"rsa", 3072}}) {
            String name = "user_" + spec[0] + spec[1];
            OpenSshKeys.KeyPairFiles key = OpenSshKeys.generate(dir, name, (String) spec[0], (Integer) spec[1]);
            USER_KEYS.put(key.publicKeyLine().split(" ")[0],
                    PuttyKeys.ppkFromOpenSsh(key.privateKey(), dir.resolve(name + ".ppk")));
            AUTHORIZED.add(key.publicKeyLine());
        }
        offer = ClientOffer.of(port -> {
            try {
                return PlinkClient.to(port).home(Files.createTempDirectory(dir, "home")).identity(clientKey)
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

    static List<String> userKeyTypes() {
        return List.copyOf(USER_KEYS.keySet());
    }

    @Test
    void plinkShouldShareTheAlgorithmsItDocuments() {
        assertThat(kexMethods()).contains("curve25519-sha256", "ecdh-sha2-nistp256", "diffie-hellman-group16-sha512",
                "diffie-hellman-group-exchange-sha256");
        assertThat(hostKeyAlgorithms()).contains("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512");
        assertThat(ciphers()).contains("aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes256-ctr");
        assertThat(macs()).contains("hmac-sha2-256", "hmac-sha2-256-etm@openssh.com");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kexMethods")
    @AlgorithmMatrix.Case(category = "kex", client = "plink", server = "Sluice server")
    void plinkShouldCompleteEachKexWithASluiceServer(String kex) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withKexAlgorithms(List.of(kex)), clientKey,
                p -> p.kex(puttyKexId(kex)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostKeyAlgorithms")
    @AlgorithmMatrix.Case(category = "host key", client = "plink", server = "Sluice server")
    void plinkShouldVerifyEachHostKeyAlgorithmFromASluiceServer(String algorithm) throws Exception {
        SshKeyPair hostKey = algorithm.equals("ssh-ed25519") ? SshKeyPair.generateEd25519("host")
                : algorithm.startsWith("ecdsa-sha2-nistp")
                        ? SshKeyPair.generateEcdsa(Integer.parseInt(algorithm.substring(16)), "host")
                        : SshKeyPair.generateRsa(2048, "host");
        String puttyId = algorithm.equals("ssh-ed25519") ? "ed25519" : algorithm.startsWith("ecdsa") ? "ecdsa" : "rsa";
        tunnel(hostKey, t -> t.withHostKeyAlgorithms(List.of(algorithm)), clientKey, p -> p.hostKeyType(puttyId));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciphers")
    @AlgorithmMatrix.Case(category = "cipher", client = "plink", server = "Sluice server")
    void plinkShouldUseEachCipherWithASluiceServer(String cipher) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withCiphers(List.of(cipher)), clientKey,
                p -> p.cipher(puttyCipherId(cipher)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("macs")
    @AlgorithmMatrix.Case(category = "mac", client = "plink", server = "Sluice server")
    void plinkShouldUseEachMacWithASluiceServer(String mac) throws Exception {
        String cipher = ciphers().stream().filter(c -> c.endsWith("-ctr")).findFirst().orElseThrow();
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withCiphers(List.of(cipher)).withMacs(List.of(mac)),
                clientKey, p -> p.cipher("aes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.interop.PlinkInteropTest#compressions")
    @AlgorithmMatrix.Case(category = "compression", client = "plink", server = "Sluice server")
    void plinkShouldUseEachCompressionWithASluiceServer(String compression) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t.withCompression(List.of(compression)), clientKey,
                p -> compression.equals("none") ? p : p.compression());
    }

    /** What plink offers with {@code -C} (without it, only {@code none}) that Sluice implements. */
    static List<String> compressions() throws IOException {
        KexInit withCompression = ClientOffer.of(port -> {
            try {
                return PlinkClient.to(port).home(Files.createTempDirectory(dir, "home")).compression().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, STARTUP);
        return TransportConfig.CLIENT_COMPRESSION.stream()
                .filter(withCompression.compressionClientToServer()::contains).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userKeyTypes")
    @AlgorithmMatrix.Case(category = "user key", client = "plink", server = "Sluice server")
    void plinkShouldAuthenticateWithEachKeyTypeToASluiceServer(String keyType) throws Exception {
        tunnel(SshKeyPair.generateEd25519("host"), t -> t, USER_KEYS.get(keyType), p -> p);
    }

    @Test
    @AlgorithmMatrix.Case(category = "session", client = "plink", server = "Sluice server",
            algorithm = "exec (echo hi)")
    void plinkShouldRunACommandOnASluiceServer() throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, AUTHORIZED, null,
                        SessionConfig.defaults());
                ManagedProcess plink = PlinkClient.to(server.port()).home(Files.createTempDirectory(dir, "home"))
                        .hostKey(PublicKeys.parseLine(server.hostPublicKeyLine()).fingerprint()).identity(clientKey)
                        .command("echo", "hi").start()) {
            assertThat(plink.awaitExit(TIMEOUT)).isZero();
            assertThat(plink.stdout()).isEqualTo("hi\n");
        }
    }

    /**
     * Starts a Sluice server with {@code hostKey} and the settings {@code configure} makes, connects plink with
     * {@code identity} and the saved-session settings {@code tune} makes, and moves 1 MiB each way through its forward.
     */
    private static void tunnel(SshKeyPair hostKey, UnaryOperator<TransportConfig> configure, Path identity,
            UnaryOperator<PlinkClient> tune) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, AUTHORIZED, List.of(hostKey), configure);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 41, TIMEOUT);
                ManagedProcess plink = tune.apply(PlinkClient.to(server.port())
                        .home(Files.createTempDirectory(dir, "home")).hostKey(hostKey.publicKey().fingerprint())
                        .identity(identity).localForward(TcpPorts.free(), "127.0.0.1", target.port()))
                        .startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(plink.command(), 0), target, 0, SIZE, 41, TIMEOUT);
        }
    }

    /** PuTTY's KEX group for a wire name (its "KEX" setting). */
    private static String puttyKexId(String kex) {
        if (kex.startsWith("curve25519") || kex.startsWith("ecdh-sha2-")) {
            return "ecdh";
        } else if (kex.startsWith("diffie-hellman-group-exchange-")) {
            return "dh-gex-sha1";
        } else if (kex.startsWith("diffie-hellman-group14-")) {
            return "dh-group14-sha1";
        } else if (kex.startsWith("sntrup761x25519")) {
            return "ntru-curve25519";
        }
        // diffie-hellman-group1-sha1, -group16-sha512, -group18-sha512
        return "dh-" + kex.substring("diffie-hellman-".length());
    }

    /** PuTTY's cipher group for a wire name (its "Cipher" setting). */
    private static String puttyCipherId(String cipher) {
        return cipher.endsWith("-ctr") ? "aes" : cipher.contains("-gcm@") ? "aesgcm" : "chacha20";
    }
}
