package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.Negotiated;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.Macs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every non-AEAD cipher with every MAC that both OpenSSH ({@code ssh -Q cipher}, {@code ssh -Q mac}) and Sluice
 * implement, in both pairings: OpenSSH {@code ssh -L} to a Sluice server, and the Sluice API client to OpenSSH
 * {@code sshd}. Each case completes key exchange and publickey auth under the pair, then moves 1 MiB each way at
 * once through a forward with both hashes checked, and checks the pair OpenSSH says it negotiated. One server of each
 * kind serves the whole matrix, so it stays quick.
 */
@ExtendWith({DumpProcessLogsOnFailure.class, AlgorithmMatrix.class})
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CipherMacInteropTest {
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static OpenSshKeys.KeyPairFiles clientKey;
    private static EmbeddedSluiceServer sluiceServer;
    private static OpenSshServer sshd;

    @BeforeAll
    static void startServers() throws Exception {
        LogCapture.install();
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        List<String> ciphers = ctrCiphers();
        List<String> macs = allMacs();
        sluiceServer = EmbeddedSluiceServer.startTuned(dir, List.of(clientKey.publicKeyLine()),
                t -> t.withCiphers(Ciphers.defaultNames()).withMacs(macs));
        sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).logLevel("DEBUG1")
                .config("Ciphers " + String.join(",", Ciphers.defaultNames()))
                .config("MACs " + String.join(",", macs)).start();
        assertThat(ciphers).as("CTR ciphers both sides implement").hasSize(3);
    }

    @AfterAll
    static void stopServers() {
        if (sshd != null) {
            sshd.close();
        }
        if (sluiceServer != null) {
            sluiceServer.close();
        }
    }

    /** Every CTR cipher × every MAC that OpenSSH's ssh lists and Sluice implements. */
    static Stream<Arguments> pairs() throws IOException, InterruptedException {
        List<Arguments> pairs = new ArrayList<>();
        for (String cipher : ctrCiphers()) {
            for (String mac : allMacs()) {
                pairs.add(Arguments.of(cipher, mac));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pairs")
    @AlgorithmMatrix.Case(category = "cipher+mac", client = "ssh", server = "Sluice server")
    void openSshClientShouldTunnelThroughSluiceServer(String cipher, String mac) throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts_sluice"), sluiceServer.knownHostsLine() + "\n");
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 3, TIMEOUT);
                ManagedProcess ssh = OpenSshClient.to(sluiceServer.port()).identity(clientKey.privateKey())
                        .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                        .cipher(cipher).option("MACs", mac).logLevel("DEBUG1")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 3, TIMEOUT);

            assertThat(ssh.stderr())
                    .contains("kex: client->server cipher: " + cipher + " MAC: " + mac + " compression: none")
                    .contains("kex: server->client cipher: " + cipher + " MAC: " + mac + " compression: none")
                    .contains("Server accepts key");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pairs")
    @AlgorithmMatrix.Case(category = "cipher+mac", client = "Sluice API", server = "sshd")
    void sluiceClientShouldTunnelThroughOpenSshServer(String cipher, String mac) throws Exception {
        long mark = sshd.log().length();
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 4, TIMEOUT);
                SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                        sshd.hostPublicKeyLine(), t -> t.withCiphers(List.of(cipher)).withMacs(List.of(mac)),
                        STARTUP)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, SIZE, 4, TIMEOUT);

            Negotiated n = client.negotiated();
            assertThat(List.of(n.cipherClientToServer(), n.cipherServerToClient())).containsOnly(cipher);
            assertThat(List.of(n.macClientToServer(), n.macServerToClient())).containsOnly(mac);
            assertThat(sshd.log().substring((int) mark))
                    .contains("kex: client->server cipher: " + cipher + " MAC: " + mac + " compression: none")
                    .contains("kex: server->client cipher: " + cipher + " MAC: " + mac + " compression: none");
        }
    }

    /** The {@code sluice ssh} command takes {@code -c} and {@code -m} as ssh does. */
    @Test
    void sluiceSshCommandShouldUseTheMacGivenWithDashM() throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts_sshd"), sshd.knownHostsLine() + "\n");
        String cipher = "aes256-ctr";
        String mac = "hmac-sha2-512-etm@openssh.com";
        long mark = sshd.log().length();
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 5, TIMEOUT);
                ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                        .knownHosts(knownHosts).option("Ciphers", cipher).option("MACs", mac)
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 5, TIMEOUT);
            assertThat(sshd.log().substring((int) mark))
                    .contains("kex: client->server cipher: " + cipher + " MAC: " + mac);
        }
    }

    /** With an AEAD cipher the MAC lists are not negotiated at all, as in OpenSSH: no MAC in common is no error. */
    @Test
    void aeadCipherShouldIgnoreTheMacLists() throws Exception {
        try (SluiceApiClient client = SluiceApiClient.connect(sshd.port(), clientKey.privateKey(),
                sshd.hostPublicKeyLine(), t -> t.withCiphers(List.of("aes256-gcm@openssh.com"))
                        .withMacs(List.of("hmac-sha1")), STARTUP)) {
            Negotiated n = client.negotiated();
            assertThat(n.cipherClientToServer()).isEqualTo("aes256-gcm@openssh.com");
            assertThat(n.macClientToServer()).isEmpty();
            assertThat(n.macServerToClient()).isEmpty();
        }
    }

    private static List<String> ctrCiphers() throws IOException, InterruptedException {
        List<String> theirs = query("cipher");
        return Ciphers.defaultNames().stream().filter(c -> c.endsWith("-ctr") && theirs.contains(c)).toList();
    }

    private static List<String> allMacs() throws IOException, InterruptedException {
        List<String> theirs = query("mac");
        List<String> ours = new ArrayList<>(Macs.defaultNames());
        ours.addAll(Macs.optInNames());
        return ours.stream().filter(theirs::contains).toList();
    }

    /** What the OpenSSH client says it supports: {@code ssh -Q what}. */
    private static List<String> query(String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh", "-Q", what).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("ssh -Q " + what).isZero();
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
