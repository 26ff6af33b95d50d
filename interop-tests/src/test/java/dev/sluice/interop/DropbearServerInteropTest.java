package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.interop.harness.DropbearServer;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.SystemUsers;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.Negotiated;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.message.KexInit;
import dev.sluice.transport.wire.SshReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sluice clients against a Dropbear server ({@code dropbear} 2022.x): every key exchange method, host key
 * algorithm, cipher, MAC and compression method that both implement, the shared set taken from the KEXINIT that
 * dropbear sends (dropbear has no query option), plus each kind of user key. Each case completes key exchange,
 * publickey authentication as a test account (dropbear reads only {@code ~/.ssh/authorized_keys}) and moves 1 MiB
 * each way at once through a {@code -L} forward with SHA-256 checks. The {@code sluice ssh} process runs each cipher
 * and a remote command. Host keys come from {@code dropbearkey}; one dropbear per host key type serves the class.
 */
@ExtendWith({DumpProcessLogsOnFailure.class, AlgorithmMatrix.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DropbearServerInteropTest {
    /** The account the tests log in as; Dropbear reads its ~/.ssh/authorized_keys. */
    static final String USER = "sluicepeer";
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static OpenSshKeys.KeyPairFiles clientKey;
    private static final Map<String, OpenSshKeys.KeyPairFiles> USER_KEYS = new LinkedHashMap<>();
    /** One server per host key, by the key's name here: ed25519, ecdsa256, ecdsa384, ecdsa521, rsa. */
    private static final Map<String, DropbearServer> SERVERS = new LinkedHashMap<>();
    private static KexInit offer;

    @BeforeAll
    static void startServers() throws Exception {
        LogCapture.install();
        assumeTrue(SystemUsers.canCreate(), "Dropbear reads only the account's own authorized_keys: a test account"
                + " is needed, and creating it needs root");
        SystemUsers.ensure(USER, UUID.randomUUID().toString());
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        USER_KEYS.put("ecdsa-sha2-nistp256", OpenSshKeys.generate(dir, "user_ecdsa256", "ecdsa", 256));
        USER_KEYS.put("ecdsa-sha2-nistp384", OpenSshKeys.generate(dir, "user_ecdsa384", "ecdsa", 384));
        USER_KEYS.put("ecdsa-sha2-nistp521", OpenSshKeys.generate(dir, "user_ecdsa521", "ecdsa", 521));
        USER_KEYS.put("ssh-rsa", OpenSshKeys.generate(dir, "user_rsa", "rsa", 3072));
        List<String> authorized = new ArrayList<>(List.of(clientKey.publicKeyLine()));
        USER_KEYS.values().forEach(k -> authorized.add(k.publicKeyLine()));
        SystemUsers.authorizeKeys(USER, authorized);
        SERVERS.put("ed25519", DropbearServer.builder().hostKey("ed25519", 0).start());
        SERVERS.put("ecdsa256", DropbearServer.builder().hostKey("ecdsa", 256).start());
        SERVERS.put("ecdsa384", DropbearServer.builder().hostKey("ecdsa", 384).start());
        SERVERS.put("ecdsa521", DropbearServer.builder().hostKey("ecdsa", 521).start());
        SERVERS.put("rsa", DropbearServer.builder().hostKey("rsa", 0).start());
        offer = serverOffer(SERVERS.get("ed25519").port());
    }

    @AfterAll
    static void stopServers() {
        SERVERS.values().forEach(DropbearServer::close);
        SERVERS.clear();
    }

    static List<String> kexMethods() {
        return KexMethods.supportedNames().stream().filter(offer.kexAlgorithms()::contains).toList();
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

    /** The host key algorithms Sluice implements that the dropbear holding a key of their type offers. */
    static List<String> hostKeyAlgorithms() throws IOException {
        List<String> shared = new ArrayList<>();
        for (String algorithm : PublicKeys.supportedSignatureAlgorithms()) {
            DropbearServer server = SERVERS.get(serverFor(algorithm));
            if (serverOffer(server.port()).serverHostKeyAlgorithms().contains(algorithm)) {
                shared.add(algorithm);
            }
        }
        return shared;
    }

    static List<String> userKeyTypes() {
        return List.copyOf(USER_KEYS.keySet());
    }

    @Test
    void dropbearShouldShareTheAlgorithmsItDocuments() throws IOException {
        assertThat(kexMethods()).contains("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
                "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256");
        assertThat(ciphers()).contains("chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-ctr");
        assertThat(macs()).contains("hmac-sha2-256");
        assertThat(hostKeyAlgorithms()).contains("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                "ecdsa-sha2-nistp521", "rsa-sha2-256");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kexMethods")
    @AlgorithmMatrix.Case(category = "kex", client = "Sluice API", server = "dropbear")
    void sluiceClientShouldCompleteEachKexWithDropbear(String kex) throws Exception {
        Negotiated n = tunnel(SERVERS.get("ed25519"), clientKey, t -> t.withKexAlgorithms(List.of(kex)));
        assertThat(n.kex()).isEqualTo(kex);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostKeyAlgorithms")
    @AlgorithmMatrix.Case(category = "host key", client = "Sluice API", server = "dropbear")
    void sluiceClientShouldVerifyEachHostKeyAlgorithmFromDropbear(String algorithm) throws Exception {
        Negotiated n = tunnel(SERVERS.get(serverFor(algorithm)), clientKey,
                t -> t.withHostKeyAlgorithms(List.of(algorithm)));
        assertThat(n.hostKey()).isEqualTo(algorithm);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciphers")
    @AlgorithmMatrix.Case(category = "cipher", client = "Sluice API", server = "dropbear")
    void sluiceClientShouldUseEachCipherWithDropbear(String cipher) throws Exception {
        Negotiated n = tunnel(SERVERS.get("ed25519"), clientKey, t -> t.withCiphers(List.of(cipher)));
        assertThat(List.of(n.cipherClientToServer(), n.cipherServerToClient())).containsOnly(cipher);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("macs")
    @AlgorithmMatrix.Case(category = "mac", client = "Sluice API", server = "dropbear")
    void sluiceClientShouldUseEachMacWithDropbear(String mac) throws Exception {
        String cipher = ciphers().stream().filter(c -> c.endsWith("-ctr")).findFirst().orElseThrow();
        Negotiated n = tunnel(SERVERS.get("ed25519"), clientKey,
                t -> t.withCiphers(List.of(cipher)).withMacs(List.of(mac)));
        assertThat(List.of(n.macClientToServer(), n.macServerToClient())).containsOnly(mac);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    @AlgorithmMatrix.Case(category = "compression", client = "Sluice API", server = "dropbear")
    void sluiceClientShouldUseEachCompressionWithDropbear(String compression) throws Exception {
        Negotiated n = tunnel(SERVERS.get("ed25519"), clientKey, t -> t.withCompression(List.of(compression)));
        assertThat(List.of(n.compressionClientToServer(), n.compressionServerToClient())).containsOnly(compression);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userKeyTypes")
    @AlgorithmMatrix.Case(category = "user key", client = "Sluice API", server = "dropbear")
    void sluiceClientShouldAuthenticateWithEachKeyTypeToDropbear(String keyType) throws Exception {
        DropbearServer server = SERVERS.get("ed25519");
        tunnel(server, USER_KEYS.get(keyType), t -> t);
        assertThat(server.log()).contains("Pubkey auth succeeded for '" + USER + "' with " + keyType + " key");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciphers")
    @AlgorithmMatrix.Case(category = "cipher", client = "sluice ssh", server = "dropbear")
    void sluiceSshCommandShouldTunnelThroughDropbearWithEachCipher(String cipher) throws Exception {
        DropbearServer server = SERVERS.get("ed25519");
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 22, TIMEOUT);
                ManagedProcess ssh = SluiceSshCommand.to(server.port()).user(USER).identity(clientKey.privateKey())
                        .knownHosts(knownHosts).option("Ciphers", cipher).logLevel("DEBUG")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 22, TIMEOUT);

            assertThat(ssh.stderr()).contains("kex: client->server cipher: " + cipher)
                    .contains("kex: server->client cipher: " + cipher);
        }
    }

    @Test
    @AlgorithmMatrix.Case(category = "session", client = "sluice ssh", server = "dropbear",
            algorithm = "exec (echo hi)")
    void sluiceSshCommandShouldRunACommandOnDropbear() throws Exception {
        DropbearServer server = SERVERS.get("ed25519");
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        try (ManagedProcess ssh = SluiceSshCommand.to(server.port()).user(USER).identity(clientKey.privateKey())
                .knownHosts(knownHosts).command("echo", "hi").start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).isZero();
            assertThat(ssh.stdout()).isEqualTo("hi\n");
        }
    }

    /**
     * Connects the Sluice API client with {@code key} and the transport settings {@code configure} makes, moves 1 MiB
     * each way through a forward with both hashes checked, and returns what the key exchange settled on.
     */
    private static Negotiated tunnel(DropbearServer server, OpenSshKeys.KeyPairFiles key,
            UnaryOperator<TransportConfig> configure) throws Exception {
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 21, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(server.port(), USER, key.privateKey(),
                        server.hostPublicKeyLine(), configure, STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 21, TIMEOUT);
            return client.negotiated();
        }
    }

    /** Which of the servers holds a key for {@code algorithm}. */
    private static String serverFor(String algorithm) {
        if (algorithm.startsWith("ecdsa-sha2-nistp")) {
            return "ecdsa" + algorithm.substring("ecdsa-sha2-nistp".length());
        }
        return algorithm.equals("ssh-ed25519") ? "ed25519" : "rsa";
    }

    /** The KEXINIT a server sends first: what it offers, read before any key exchange. */
    private static KexInit serverOffer(int port) throws IOException {
        try (RawSshSocket raw = RawSshSocket.connect(port, TIMEOUT)) {
            raw.write("SSH-2.0-SluiceProbe\r\n");
            raw.readVersionLine();
            byte[] payload = raw.readPlainPacket(RawSshSocket.KEXINIT);
            return KexInit.decode(SshReader.of(Arrays.copyOfRange(payload, 1, payload.length)));
        }
    }
}
