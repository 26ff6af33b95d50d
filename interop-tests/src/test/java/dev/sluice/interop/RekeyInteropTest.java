package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.RekeyLimit;
import dev.sluice.transport.TransportSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rekeying under load against OpenSSH: 64 MiB each way at once through a tunnel while one side renews keys every MiB
 * (OpenSSH's {@code RekeyLimit 1M}, or Sluice's own), with every byte hashed; and Sluice's time limit and API call.
 * Rekeys are counted in the Sluice session ({@link TransportSession#keyExchanges()}) and in OpenSSH's debug log.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RekeyInteropTest {
    private static final long MIB = 1 << 20;
    private static final long BULK = 64 * MIB;
    /**
     * 64 MiB each way with new keys after every MiB: close to one rekey per MiB (data sent while an exchange runs
     * counts toward the next, so a few less), and far more than without the limit (none).
     */
    private static final int MIN_REKEYS = 48;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final String SSHD_KEX_LINE = "kex: client->server cipher:";

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
    void sshdRekeyingEveryMiBShouldNotDisturbASluiceTunnel() throws Exception {
        try (OpenSshServer sshd = sshd("RekeyLimit 1M");
                TcpTargets.SinkSource target = TcpTargets.sinkSource(BULK, 2, TIMEOUT);
                SluiceApiClient client = client(sshd, RekeyLimit.DEFAULT)) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, BULK, 2, TIMEOUT);

            int rekeys = session(client).keyExchanges() - 1;
            System.out.println("[rekey] sshd RekeyLimit 1M, 64 MiB each way: " + rekeys + " rekeys seen by Sluice");
            assertThat(rekeys).isGreaterThanOrEqualTo(MIN_REKEYS);
            assertThat(occurrences(sshd.log(), SSHD_KEX_LINE)).isEqualTo(rekeys + 1);
        }
    }

    @Test
    void sluiceRekeyLimitShouldRenewKeysByVolume() throws Exception {
        try (OpenSshServer sshd = sshd(null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(BULK, 3, TIMEOUT);
                SluiceApiClient client = client(sshd, RekeyLimit.parse("1M"))) {
            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, BULK, 3, TIMEOUT);

            int rekeys = session(client).keyExchanges() - 1;
            System.out.println("[rekey] Sluice RekeyLimit 1M, 64 MiB each way: " + rekeys + " rekeys");
            assertThat(rekeys).isGreaterThanOrEqualTo(MIN_REKEYS);
            assertThat(occurrences(sshd.log(), SSHD_KEX_LINE)).isEqualTo(rekeys + 1);
        }
    }

    @Test
    void openSshClientRekeyingEveryMiBShouldNotDisturbASluiceServer() throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startTuned(dir, List.of(clientKey.publicKeyLine()),
                t -> t);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(BULK, 4, TIMEOUT)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .option("RekeyLimit", "1M").logLevel("DEBUG1")
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, BULK, 4, TIMEOUT);

                int exchanges = occurrences(ssh.stderr(), "SSH2_MSG_NEWKEYS received");
                System.out.println("[rekey] ssh RekeyLimit 1M to Sluice server: " + (exchanges - 1) + " rekeys");
                assertThat(exchanges - 1).isGreaterThanOrEqualTo(MIN_REKEYS);
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    @Test
    void sluiceTimeLimitShouldRenewKeysWhileIdle() throws Exception {
        try (OpenSshServer sshd = sshd(null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(MIB, 5, TIMEOUT);
                SluiceApiClient client = client(sshd, RekeyLimit.parse("default 1s"))) {
            TransportSession session = session(client);
            awaitAtLeast(session::keyExchanges, 3, Duration.ofSeconds(15));

            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, MIB, 5, TIMEOUT);
            assertThat(occurrences(sshd.log(), SSHD_KEX_LINE)).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void requestRekeyShouldRunOneKeyExchangeNow() throws Exception {
        try (OpenSshServer sshd = sshd(null);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(MIB, 6, TIMEOUT);
                SluiceApiClient client = client(sshd, RekeyLimit.DEFAULT)) {
            TransportSession session = session(client);
            assertThat(session.keyExchanges()).isEqualTo(1);

            session.requestRekey();
            awaitAtLeast(session::keyExchanges, 2, Duration.ofSeconds(15));
            session.requestRekey();
            awaitAtLeast(session::keyExchanges, 3, Duration.ofSeconds(15));

            Transfers.assertIntact(client.forward("127.0.0.1", target.port()), target, 0, MIB, 6, TIMEOUT);
            assertThat(session.keyExchanges()).isEqualTo(3);
            assertThat(occurrences(sshd.log(), SSHD_KEX_LINE)).isEqualTo(3);
        }
    }

    private OpenSshServer sshd(String extraConfig) throws IOException {
        OpenSshServer.Builder builder = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .logLevel("DEBUG1");
        if (extraConfig != null) {
            builder.config(extraConfig);
        }
        return builder.start();
    }

    private SluiceApiClient client(OpenSshServer sshd, RekeyLimit limit) throws IOException {
        return SluiceApiClient.connect(sshd.port(), clientKey.privateKey(), sshd.hostPublicKeyLine(),
                t -> t.withRekeyLimit(limit), STARTUP);
    }

    private static TransportSession session(SluiceApiClient client) {
        return TransportSession.of(client.connection().parent());
    }

    private static void awaitAtLeast(IntSupplier value, int least, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (value.getAsInt() < least) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + value.getAsInt() + " key exchanges within " + timeout
                        + ", expected " + least);
            }
            Thread.sleep(20);
        }
    }

    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }
}
