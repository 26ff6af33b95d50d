package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OpenSSH's {@code ssh -N -L} against a Sluice server running in this JVM: bulk data both ways with each cipher, a
 * refused target, and half-close. The server side is Sluice's {@code direct-tcpip} handler and socket bridge; the
 * client is the real OpenSSH 9 binary, checking our host key strictly.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OpenSshClientToSluiceServerTest {
    private static final long MIB = 1 << 20;
    private static final long BULK = 256 * MIB;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP = Duration.ofSeconds(20);

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

    @ParameterizedTest
    @EnumSource(TunnelCipher.class)
    void tunnelShouldCarry256MiBEachWayAtOnceIntact(TunnelCipher cipher) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), cipher);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(BULK, 2, TIMEOUT);
                ManagedProcess ssh = client(server).cipher(cipher.wireName).logLevel("DEBUG1")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            double rate = Transfers.assertIntact(forwardedPort(ssh, 0), target, 0, BULK, 2, TIMEOUT);

            Transfers.report("OpenSSH ssh -L -> Sluice server (in-process)", cipher, BULK, rate);
            assertThat(target.accepted()).as("connections that reached the target").isEqualTo(1);
            assertThat(ssh.stderr()).contains("kex: client->server cipher: " + cipher.wireName)
                    .contains("kex: server->client cipher: " + cipher.wireName)
                    .contains("Server accepts key");
            assertThat(ssh.isAlive()).as("ssh still running after the transfer").isTrue();
        }
    }

    @Test
    void refusedTargetShouldFailOnlyItsChannel() throws Exception {
        long size = 8 * MIB;
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                TcpPorts.RefusedPort refused = TcpPorts.refused();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 4, TIMEOUT);
                ManagedProcess ssh = client(server).logLevel("VERBOSE")
                        .localForward(TcpPorts.free(), "127.0.0.1", refused.port())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            long mark = LogCapture.mark();

            Tunnels.assertConnectionEndsWithoutData(forwardedPort(ssh, 0), TIMEOUT);

            assertThat(ssh.awaitStderr("open failed", TIMEOUT))
                    .contains("open failed: connect failed: Connection refused");
            assertThat(LogCapture.await(mark, "connect_to 127.0.0.1 port " + refused.port(), TIMEOUT))
                    .contains("failed: Connection refused");
            // The listener and the SSH connection survive: the refused forward refuses again, the other one works.
            Tunnels.assertConnectionEndsWithoutData(forwardedPort(ssh, 0), TIMEOUT);
            Transfers.assertIntact(forwardedPort(ssh, 1), target, 0, size, 4, TIMEOUT);
            assertThat(ssh.stderr().split("open failed", -1)).as("one open failure per refused connection")
                    .hasSize(3);
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    /** 64 bytes: a request that arrives with its FIN; 5 MiB: more than a channel window, so it needs adjusts. */
    @ParameterizedTest
    @ValueSource(ints = {64, 5 << 20})
    void halfCloseShouldCrossTheTunnelBeforeTheWholeReply(int requestSize) throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
                TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                ManagedProcess ssh = client(server).localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(STARTUP)) {
            Tunnels.assertEchoAfterHalfClose(forwardedPort(ssh, 0), target, 0, requestSize, TIMEOUT);
            // And again on the same connection: the first channel's half-close left nothing behind.
            Tunnels.assertEchoAfterHalfClose(forwardedPort(ssh, 0), target, 1, requestSize, TIMEOUT);
        }
    }

    /**
     * {@code sluice server} as its own process, configured with sshd_config keywords (host key generated by OpenSSH's
     * ssh-keygen, AuthorizedKeysFile, Ciphers), serving OpenSSH's {@code ssh -L}.
     */
    @Test
    void serverCommandShouldServeATunnelWithItsConfiguredCipher() throws Exception {
        long size = 32 * MIB;
        TunnelCipher cipher = TunnelCipher.CHACHA20_POLY1305;
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-h", hostKey.privateKey().toString(),
                "-o", "AuthorizedKeysFile=" + authorized, "-o", "Ciphers=" + cipher.wireName,
                "-o", "LogLevel=VERBOSE"));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");
            try (TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 5, TIMEOUT);
                    ManagedProcess ssh = OpenSshClient.to(port).identity(clientKey.privateKey())
                            .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                            .cipher(cipher.wireName).logLevel("DEBUG1")
                            .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Transfers.assertIntact(forwardedPort(ssh, 0), target, 0, size, 5, TIMEOUT);

                assertThat(ssh.stderr()).contains("kex: client->server cipher: " + cipher.wireName);
                assertThat(server.awaitStderr("Accepted publickey for", TIMEOUT)).contains("ssh2: ED25519 SHA256:");
            }
        }
    }

    /** An OpenSSH client for {@code server} that knows its host key and requires it. */
    private OpenSshClient client(EmbeddedSluiceServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                .option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }

    private static int forwardedPort(ManagedProcess ssh, int n) {
        return Tunnels.forwardedPort(ssh.command(), n);
    }
}
