package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
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
 * {@code sluice server -f sshd_config} with a {@code Match User} block, against OpenSSH's ssh: the user the block
 * names is refused ssh -L (logged with the rule), another user on the same server forwards.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerMatchInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final long SIZE = 256 * 1024;

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

    private static OpenSshClient client(int port, OpenSshKeys.KeyPairFiles key, Path knownHosts) {
        return OpenSshClient.to(port).identity(key.privateKey()).option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }
}
