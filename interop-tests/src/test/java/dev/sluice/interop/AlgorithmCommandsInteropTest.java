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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The algorithm keywords through the commands, as their own processes: {@code sluice ssh -o KexAlgorithms=… -o
 * HostKeyAlgorithms=…} against sshd, {@code sluice server} with several HostKey lines and KexAlgorithms against
 * OpenSSH's ssh, and ssh's preference for the key type known_hosts holds.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AlgorithmCommandsInteropTest {
    private static final long SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;

    @BeforeEach
    void generateClientKey() throws IOException {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
    }

    @Test
    void sshCommandShouldUseTheKexAndHostKeyAlgorithmsItIsGiven() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .hostKey("rsa", 2048).logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 8, TIMEOUT)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("KexAlgorithms", "^ecdh-sha2-nistp384")
                    .option("HostKeyAlgorithms", "rsa-sha2-256")
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 8, TIMEOUT);

                assertThat(sshd.log()).contains("kex: algorithm: ecdh-sha2-nistp384")
                        .contains("kex: host key algorithm: rsa-sha2-256");
            }
        }
    }

    @Test
    void sshCommandShouldPreferTheHostKeyTypeKnownHostsHolds() throws Exception {
        OpenSshKeys.KeyPairFiles ed25519 = OpenSshKeys.ed25519(dir, "sshd_ed25519_key");
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                        .hostKey("ecdsa", 384).config("HostKey " + ed25519.privateKey()).logLevel("DEBUG1").start();
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 9, TIMEOUT)) {
            // Only the ECDSA key is known; by default order the server would show its Ed25519 key and fail the check.
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ssh = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).localForward(TcpPorts.free(), "127.0.0.1", target.port())
                    .startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 9, TIMEOUT);

                assertThat(sshd.log()).contains("kex: host key algorithm: ecdsa-sha2-nistp384");
            }
        }
    }

    @Test
    void sshCommandShouldReportNoCommonMethodInOpensshsWords() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine())
                .config("KexAlgorithms curve25519-sha256,diffie-hellman-group16-sha512").start()) {
            String expected = "Unable to negotiate with 127.0.0.1 port " + sshd.port()
                    + ": no matching key exchange method found. Their offer: "
                    + "curve25519-sha256,diffie-hellman-group16-sha512";
            try (ManagedProcess theirs = OpenSshClient.to(sshd.port()).identity(clientKey.privateKey())
                    .option("KexAlgorithms", "diffie-hellman-group14-sha1").localForward(TcpPorts.free(), "x", 9)
                    .start()) {
                assertThat(theirs.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(theirs.stderr()).contains(expected);
            }
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            try (ManagedProcess ours = SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey())
                    .knownHosts(knownHosts).option("KexAlgorithms", "diffie-hellman-group14-sha1")
                    .localForward(TcpPorts.free(), "x", 9).start()) {
                assertThat(ours.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ours.stderr()).contains(expected);
            }
            assertThat(sshd.awaitLog("Their offer: diffie-hellman-group14-sha1,ext-info-c", TIMEOUT))
                    .contains("no matching key exchange method found");
        }
    }

    @Test
    void serverCommandShouldOfferEveryHostKeyAndTheConfiguredKex() throws Exception {
        List<OpenSshKeys.KeyPairFiles> hostKeys = List.of(OpenSshKeys.ed25519(dir, "host_ed25519"),
                OpenSshKeys.generate(dir, "host_ecdsa", "ecdsa", 521),
                OpenSshKeys.generate(dir, "host_rsa", "rsa", 2048));
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), "HostKey " + hostKeys.get(0).privateKey() + "\n"
                + "HostKey " + hostKeys.get(1).privateKey() + "\n" + "HostKey " + hostKeys.get(2).privateKey() + "\n"
                + "KexAlgorithms diffie-hellman-group16-sha512\n");
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString(),
                "-o", "AuthorizedKeysFile=" + authorized));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            for (String algorithm : List.of("ecdsa-sha2-nistp521", "rsa-sha2-512", "ssh-ed25519")) {
                StringBuilder known = new StringBuilder();
                for (OpenSshKeys.KeyPairFiles k : hostKeys) {
                    known.append("[127.0.0.1]:").append(port).append(' ').append(k.publicKeyLine()).append('\n');
                }
                Path knownHosts = Files.writeString(dir.resolve("known_hosts"), known);
                try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 10, TIMEOUT);
                        ManagedProcess ssh = OpenSshClient.to(port).identity(clientKey.privateKey())
                                .option("StrictHostKeyChecking", "yes")
                                .option("UserKnownHostsFile", knownHosts.toString())
                                .option("HostKeyAlgorithms", algorithm).logLevel("DEBUG1")
                                .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                    Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 10, TIMEOUT);

                    assertThat(ssh.stderr()).contains("kex: algorithm: diffie-hellman-group16-sha512")
                            .contains("kex: host key algorithm: " + algorithm);
                }
            }
        }
    }
}
