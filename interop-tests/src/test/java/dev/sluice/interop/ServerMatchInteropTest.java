package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.interop.harness.Askpass;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.SystemUsers;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice server -f sshd_config} with {@code Match} blocks, against OpenSSH's ssh: the user a block names is
 * refused ssh -L (logged with the rule) while another forwards; and per-user ForceCommand, PasswordAuthentication,
 * AuthenticationMethods, Banner, MaxSessions, PermitTTY and ClientAliveInterval, each seen by ssh itself.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerMatchInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final long SIZE = 256 * 1024;
    private static final String PASSWORD_USER = "sluicepw";
    private static final String PASSWORD = "Sl-pw-4-tests";

    @TempDir
    Path dir;

    @Test
    void aMatchUserBlockShouldNarrowForwardingForThatUserOnly() throws Exception {
        OpenSshKeys.KeyPairFiles clientKey = OpenSshKeys.ed25519(dir, "client_key");
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                HostKey %s
                AuthorizedKeysFile %s
                AllowTcpForwarding yes
                Match User restricted Address 127.0.0.0/8
                    AllowTcpForwarding remote
                """.formatted(hostKey.privateKey(), authorized));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 4, TIMEOUT)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");

            try (ManagedProcess ssh = client(port, clientKey, knownHosts).user("alice")
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 4, TIMEOUT);
            }
            int before = target.accepted();
            try (ManagedProcess ssh = client(port, clientKey, knownHosts).user("restricted")
                    .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                Tunnels.assertConnectionEndsWithoutData(Tunnels.forwardedPort(ssh.command(), 0), TIMEOUT);
                assertThat(ssh.awaitStderr("open failed", TIMEOUT))
                        .contains("open failed: administratively prohibited: open failed");
                assertThat(server.awaitStderr("refused local port forward", TIMEOUT))
                        .contains("user restricted from 127.0.0.1").endsWith(": AllowTcpForwarding remote)");
            }
            assertThat(target.accepted()).as("connections that reached the target").isEqualTo(before);
        }
    }

    @Test
    void matchBlocksShouldChangeAuthenticationAndSessionsPerUserAsSshSeesIt() throws Exception {
        assumeTrue(SystemUsers.canCreate(), "the password login needs root to create a user with a known password");
        SystemUsers.ensure(PASSWORD_USER, PASSWORD);
        OpenSshKeys.KeyPairFiles clientKey = OpenSshKeys.ed25519(dir, "client_key");
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        Path globalBanner = Files.writeString(dir.resolve("banner"), "Global banner for everyone\n");
        Path passwordBanner = Files.writeString(dir.resolve("banner-pw"), "Key and password, please\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                HostKey %s
                AuthorizedKeysFile %s
                PasswordAuthentication no
                Banner %s
                Match User %s
                    PasswordAuthentication yes
                    AuthenticationMethods publickey,password
                    Banner %s
                Match User forced
                    ForceCommand echo "forced: $SSH_ORIGINAL_COMMAND"
                Match User notty
                    PermitTTY no
                Match Address 127.0.0.0/8 User nosessions
                    MaxSessions 0
                Match Address 192.0.2.0/24
                    MaxSessions 0
                """.formatted(hostKey.privateKey(), authorized, globalBanner, PASSWORD_USER, passwordBanner));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");

            SshRun alice = SshRun.run(dir, client(port, clientKey, knownHosts).user("alice").logLevel("INFO")
                    .command("echo", "hi").commandLine(), null, TIMEOUT);
            assertThat(alice.status()).as(alice.stderr()).isZero();
            assertThat(alice.output()).isEqualTo("hi\n");
            assertThat(alice.stderr()).contains("Global banner for everyone").doesNotContain("password, please");

            SshRun forced = SshRun.run(dir, client(port, clientKey, knownHosts).user("forced").logLevel("INFO")
                    .command("echo", "hi").commandLine(), null, TIMEOUT);
            assertThat(forced.output()).as(forced.stderr()).isEqualTo("forced: echo hi\n");

            SshRun pty = SshRun.run(dir, client(port, clientKey, knownHosts).user("alice").logLevel("INFO")
                    .args("-tt").command("tty").commandLine(), null, TIMEOUT);
            assertThat(pty.output()).as(pty.stderr()).startsWith("/dev/pts/");
            SshRun noPty = SshRun.run(dir, client(port, clientKey, knownHosts).user("notty").logLevel("INFO")
                    .args("-tt").command("tty").commandLine(), null, TIMEOUT);
            assertThat(noPty.stderr()).contains("PTY allocation request failed on channel 0");
            assertThat(noPty.output()).doesNotContain("/dev/pts/");

            SshRun noSessions = SshRun.run(dir, client(port, clientKey, knownHosts).user("nosessions")
                    .logLevel("INFO").command("true").commandLine(), null, TIMEOUT);
            assertThat(noSessions.status()).isEqualTo(255);
            assertThat(noSessions.stderr()).contains("open failed: administratively prohibited: open failed");

            SshRun alicePassword = SshRun.run(dir, client(port, clientKey, knownHosts).user("alice")
                    .option("PubkeyAuthentication", "no").option("PreferredAuthentications", "password")
                    .logLevel("INFO").command("true").commandLine(), null, TIMEOUT);
            assertThat(alicePassword.status()).isEqualTo(255);
            assertThat(alicePassword.stderr()).as("no password for alice")
                    .contains("alice@127.0.0.1: Permission denied (publickey).");

            Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
            OpenSshClient twoSteps = client(port, clientKey, knownHosts).user(PASSWORD_USER).logLevel("INFO")
                    .option("BatchMode", "no").option("PreferredAuthentications", "publickey,password")
                    .command("echo", "both");
            askpass.environment().forEach(twoSteps::environment);
            try (ManagedProcess ssh = twoSteps.start()) {
                assertThat(ssh.awaitExit(TIMEOUT)).as(ssh.describe()).isZero();
                assertThat(ssh.stdout()).isEqualTo("both\n");
                assertThat(ssh.stderr()).contains("Key and password, please")
                        .doesNotContain("Global banner for everyone");
            }
            assertThat(askpass.prompts()).containsExactly(PASSWORD_USER + "@127.0.0.1's password: ");
            assertThat(server.awaitStderr("Accepted password for " + PASSWORD_USER, TIMEOUT)).isNotEmpty();
            assertThat(server.stderr()).contains("Partial publickey for " + PASSWORD_USER + " from 127.0.0.1");
        }
    }

    @Test
    void clientAliveIntervalInAMatchBlockShouldEndOnlyThatUsersDeadConnection() throws Exception {
        OpenSshKeys.KeyPairFiles clientKey = OpenSshKeys.ed25519(dir, "client_key");
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                HostKey %s
                AuthorizedKeysFile %s
                Match User sleepy
                    ClientAliveInterval 1
                    ClientAliveCountMax 1
                """.formatted(hostKey.privateKey(), authorized));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");
            try (ManagedProcess alice = client(port, clientKey, knownHosts).user("alice").start();
                    ManagedProcess sleepy = client(port, clientKey, knownHosts).user("sleepy").start()) {
                server.awaitStderr("Accepted publickey for alice", TIMEOUT);
                server.awaitStderr("Accepted publickey for sleepy", TIMEOUT);
                kill("STOP", alice, sleepy);
                try {
                    assertThat(server.awaitStderr("Timeout, client not responding", TIMEOUT))
                            .contains("Timeout, client not responding from user sleepy 127.0.0.1 port ");
                    Thread.sleep(2_000);
                    assertThat(server.stderr()).as("alice has no ClientAliveInterval")
                            .doesNotContain("not responding from user alice");
                } finally {
                    kill("CONT", alice, sleepy);
                }
                assertThat(sleepy.awaitExit(TIMEOUT)).isEqualTo(255);
                assertThat(alice.isAlive()).isTrue();
            }
        }
    }

    @Test
    void rekeyLimitInAMatchBlockShouldRenewKeysForThatUserOnly() throws Exception {
        OpenSshKeys.KeyPairFiles clientKey = OpenSshKeys.ed25519(dir, "client_key");
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                HostKey %s
                AuthorizedKeysFile %s
                Match User bulk
                    RekeyLimit 1M
                """.formatted(hostKey.privateKey(), authorized));
        long size = 8L << 20;
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command);
                TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 5, TIMEOUT)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");
            int connection = 0;
            for (String user : List.of("alice", "bulk")) {
                try (ManagedProcess ssh = client(port, clientKey, knownHosts).user(user).logLevel("DEBUG1")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
                    Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, connection++, size, 5,
                            TIMEOUT);
                    int exchanges = ssh.stderr().split("SSH2_MSG_NEWKEYS received", -1).length - 1;
                    if (user.equals("bulk")) {
                        assertThat(exchanges).as("8 MiB each way under RekeyLimit 1M").isGreaterThanOrEqualTo(5);
                    } else {
                        assertThat(exchanges).as("no RekeyLimit for alice").isEqualTo(1);
                    }
                }
            }
        }
    }

    private static void kill(String signal, ManagedProcess... processes) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/kill", "-" + signal));
        for (ManagedProcess p : processes) {
            command.add(Long.toString(p.pid()));
        }
        assertThat(new ProcessBuilder(command).start().waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static OpenSshClient client(int port, OpenSshKeys.KeyPairFiles key, Path knownHosts) {
        return OpenSshClient.to(port).identity(key.privateKey()).option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }
}
