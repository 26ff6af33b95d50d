package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.kex.KexMethods;
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
 * Every key exchange method the installed OpenSSH supports ({@code ssh -Q kex}) that Sluice implements, legacy ones
 * included (named explicitly on both ends): OpenSSH {@code ssh} against a Sluice server and a Sluice client against
 * {@code sshd}, each completing the exchange, publickey authentication and a 1 MiB forwarded transfer each way with
 * SHA-256 checks. Methods OpenSSH lacks (mlkem768x25519-sha256 before OpenSSH 9.9) run Sluice against Sluice.
 */
@ExtendWith({DumpProcessLogsOnFailure.class, AlgorithmMatrix.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KexInteropTest {
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
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

    /** The methods both OpenSSH and Sluice implement. */
    static List<String> sharedMethods() {
        List<String> openssh = OpenSshClient.query("kex");
        return KexMethods.supportedNames().stream().filter(openssh::contains).toList();
    }

    /** Sluice's methods that the installed OpenSSH lacks. */
    static List<String> sluiceOnlyMethods() {
        List<String> openssh = OpenSshClient.query("kex");
        return KexMethods.supportedNames().stream().filter(m -> !openssh.contains(m)).toList();
    }

    @Test
    void installedOpensshShouldShareEveryMethodButTheNewestPostQuantumOne() {
        assertThat(sharedMethods()).contains("curve25519-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
                "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha256",
                "sntrup761x25519-sha512@openssh.com", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
                "diffie-hellman-group-exchange-sha1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedMethods")
    @AlgorithmMatrix.Case(category = "kex", client = "ssh", server = "Sluice server")
    void opensshClientShouldCompleteEachMethodWithASluiceServer(String kex) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        List.of(SshKeyPair.generateEd25519("host")), t -> t.withKexAlgorithms(List.of(kex)));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 3, TIMEOUT);
                ManagedProcess ssh = client(server).option("KexAlgorithms", kex).logLevel("DEBUG1")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 3, TIMEOUT);

            assertThat(ssh.stderr()).contains("kex: algorithm: " + kex).contains("Server accepts key");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedMethods")
    @AlgorithmMatrix.Case(category = "kex", client = "Sluice API", server = "sshd")
    void sluiceClientShouldCompleteEachMethodWithSshd(String kex) throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .config("KexAlgorithms " + kex).logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 4, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t.withKexAlgorithms(List.of(kex)), STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 4, TIMEOUT);

            assertThat(client.negotiated().kex()).isEqualTo(kex);
            assertThat(sshd.log()).contains("kex: algorithm: " + kex)
                    .contains("Accepted publickey for " + System.getProperty("user.name"));
        }
    }

    /** One method of each family: ECDH, curve25519, fixed DH group, group exchange, hybrid post-quantum. */
    static List<String> rekeyMethods() {
        return List.of("ecdh-sha2-nistp256", "curve25519-sha256", "diffie-hellman-group14-sha256",
                "diffie-hellman-group-exchange-sha256", "sntrup761x25519-sha512@openssh.com");
    }

    /** sshd rekeys every 256 KiB (RekeyLimit), so the Sluice client answers several exchanges mid-transfer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rekeyMethods")
    void sluiceClientShouldAnswerSshdsRekeysWithEachMethod(String kex) throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .config("KexAlgorithms " + kex).config("RekeyLimit 256K").logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 12, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t.withKexAlgorithms(List.of(kex)), STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 12, TIMEOUT);

            assertThat(sshd.log().split("kex: algorithm: " + kex, -1)).as("key exchanges sshd ran")
                    .hasSizeGreaterThan(3);
        }
    }

    /** ssh rekeys every 256 KiB, so the Sluice server answers several exchanges mid-transfer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rekeyMethods")
    void sluiceServerShouldAnswerSshsRekeysWithEachMethod(String kex) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        List.of(SshKeyPair.generateEd25519("host")), t -> t.withKexAlgorithms(List.of(kex)));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 13, TIMEOUT);
                ManagedProcess ssh = client(server).option("KexAlgorithms", kex).option("RekeyLimit", "256K")
                        .logLevel("DEBUG1").localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 13, TIMEOUT);

            assertThat(ssh.stderr().split("kex: algorithm: " + kex, -1)).as("key exchanges ssh ran")
                    .hasSizeGreaterThan(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sluiceOnlyMethods")
    @AlgorithmMatrix.Case(category = "kex", client = "Sluice API", server = "Sluice server")
    void sluiceClientShouldCompleteMethodsOpensshLacksWithASluiceServer(String kex) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        List.of(SshKeyPair.generateEd25519("host")), t -> t.withKexAlgorithms(List.of(kex)));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 5, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(server.port(), clientKey.privateKey(),
                        server.hostPublicKeyLine(), t -> t.withKexAlgorithms(List.of(kex)), STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 5, TIMEOUT);

            assertThat(client.negotiated().kex()).isEqualTo(kex);
        }
    }

    @Test
    void defaultsShouldSettleOnTheFirstOfSluicesDefaultsThatSshdHasByDefault() throws Exception {
        List<String> sshdDefaults = opensshDefaultKex();
        String expected = KexMethods.defaultNames().stream().filter(sshdDefaults::contains).findFirst().orElseThrow();
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .logLevel("DEBUG1").start();
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t, STARTUP)) {
            assertThat(client.negotiated().kex()).isEqualTo(expected);
            assertThat(sshd.log()).contains("kex: algorithm: " + expected);
        }
    }

    @Test
    void noCommonMethodShouldFailLikeOpensshOnBothSides() throws Exception {
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()),
                        List.of(SshKeyPair.generateEd25519("host")),
                        t -> t.withKexAlgorithms(List.of("diffie-hellman-group14-sha256")));
                ManagedProcess ssh = client(server).option("KexAlgorithms", "ecdh-sha2-nistp256")
                        .localForward(TcpPorts.free(), "127.0.0.1", 9).start()) {
            assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Unable to negotiate with 127.0.0.1 port " + server.port()
                    + ": no matching key exchange method found. Their offer: diffie-hellman-group14-sha256,");
            assertThat(LogCapture.await(mark, "Unable to negotiate", TIMEOUT))
                    .contains("no matching key exchange method found. Their offer: ecdh-sha2-nistp256,");
        }
    }

    /** OpenSSH's default KexAlgorithms, as {@code ssh -G} prints them (sshd's defaults are the same list). */
    private static List<String> opensshDefaultKex() throws IOException {
        try (ManagedProcess g = ManagedProcess.start("ssh -G", List.of("ssh", "-F", "/dev/null", "-G", "localhost"))) {
            assertThat(g.awaitExit(Duration.ofSeconds(10))).isZero();
            String line = g.stdout().lines().filter(l -> l.startsWith("kexalgorithms ")).findFirst().orElseThrow();
            return List.of(line.substring("kexalgorithms ".length()).trim().split(","));
        }
    }

    /** An OpenSSH client for {@code server} that knows its host key and requires it. */
    private OpenSshClient client(EmbeddedSluiceServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                .option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }
}
