package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.SshAgent;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys held by the real {@code ssh-agent} (loaded with {@code ssh-add}): Sluice lists them, has the agent sign, and
 * logs in to {@code sshd} with them, from {@code sluice ssh} (SSH_AUTH_SOCK, IdentityAgent, IdentitiesOnly) and from
 * the Java API.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AgentInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private ManagedProcess agent;
    private Path socket;
    private OpenSshKeys.KeyPairFiles agentKey;

    @BeforeEach
    void startAgent() throws Exception {
        socket = dir.resolve("agent.sock");
        agent = ManagedProcess.start("ssh-agent", List.of("ssh-agent", "-D", "-a", socket.toString()));
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(25);
        }
        assertThat(socket).exists();
        agentKey = OpenSshKeys.ed25519(dir, "agent_key");
        // A key type Sluice may not verify must not spoil the listing of the others.
        OpenSshKeys.KeyPairFiles rsa = OpenSshKeys.generate(dir, "agent_rsa", "rsa", 2048);
        sshAdd(agentKey.privateKey());
        sshAdd(rsa.privateKey());
        // The key file is locked with a passphrase afterwards: only the agent can use it now.
        run(List.of("ssh-keygen", "-q", "-p", "-P", "", "-N", "agent-only", "-f", agentKey.privateKey().toString()));
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    private void sshAdd(Path key) throws Exception {
        run(List.of("ssh-add", key.toString()));
    }

    private void run(List<String> command) throws IOException {
        try (ManagedProcess p = ManagedProcess.start(command.get(0), command,
                Map.of("SSH_AUTH_SOCK", socket.toString()), null)) {
            assertThat(p.awaitExit(TIMEOUT)).as(p.describe()).isZero();
        }
    }

    @Test
    void agentListsItsKeysAndSignsWithThem() throws Exception {
        SshPublicKey expected = PublicKeys.parseLine(agentKey.publicKeyLine());
        try (SshAgent client = SshAgent.connect(socket)) {
            List<SshKeyPair> keys = client.identities();
            SshKeyPair key = keys.stream().filter(k -> k.publicKey().equals(expected)).findFirst().orElseThrow();
            assertThat(key.comment()).isEqualTo("agent_key@sluice-test");
            byte[] data = "signed by the agent".getBytes(StandardCharsets.UTF_8);
            byte[] signature = key.sign("ssh-ed25519", data);
            assertThat(expected.verify("ssh-ed25519", data, signature)).isTrue();
            assertThat(expected.verify("ssh-ed25519", "other data".getBytes(StandardCharsets.UTF_8), signature))
                    .isFalse();
        }
    }

    private SluiceSshCommand sluiceSsh(OpenSshServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return SluiceSshCommand.to(server.port()).knownHosts(knownHosts)
                .environment("SSH_AUTH_SOCK", socket.toString());
    }

    @Test
    void sluiceSshLogsInWithTheAgentsKey() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(agentKey.publicKeyLine()));
                ManagedProcess sluice = sluiceSsh(server).option("IdentitiesOnly", "no").start()) {
            server.awaitLog("Accepted publickey for " + System.getProperty("user.name"), TIMEOUT);
            assertThat(sluice.isAlive()).isTrue();
        }
    }

    @Test
    void identitiesOnlyUsesTheAgentForAListedKeyFile() throws Exception {
        // -i names the passphrase-protected file; BatchMode could not decrypt it, but its .pub is in the agent.
        try (OpenSshServer server = OpenSshServer.start(List.of(agentKey.publicKeyLine()));
                ManagedProcess sluice = sluiceSsh(server).identity(agentKey.privateKey()).start()) {
            server.awaitLog("Accepted publickey for " + System.getProperty("user.name"), TIMEOUT);
            assertThat(sluice.stderr()).doesNotContain("Load key");
        }
    }

    @Test
    void identitiesOnlyLeavesOtherAgentKeysOut() throws Exception {
        OpenSshKeys.KeyPairFiles other = OpenSshKeys.ed25519(dir, "other_key");
        try (OpenSshServer server = OpenSshServer.start(List.of(agentKey.publicKeyLine()));
                ManagedProcess sluice = sluiceSsh(server).identity(other.privateKey()).start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(sluice.stderr()).contains("Permission denied (publickey).");
        }
    }

    @Test
    void identityAgentNoneTurnsTheAgentOff() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(agentKey.publicKeyLine()));
                ManagedProcess sluice = sluiceSsh(server).option("IdentitiesOnly", "no")
                        .option("IdentityAgent", "none").start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(sluice.stderr()).contains("Permission denied (publickey).");
        }
    }

    @Test
    void identityAgentNamesTheSocket() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(agentKey.publicKeyLine()));
                ManagedProcess sluice = sluiceSsh(server).environment("SSH_AUTH_SOCK", "/nonexistent")
                        .option("IdentitiesOnly", "no").option("IdentityAgent", socket.toString()).start()) {
            server.awaitLog("Accepted publickey for " + System.getProperty("user.name"), TIMEOUT);
            assertThat(sluice.isAlive()).isTrue();
        }
    }

    @Test
    void javaApiLogsInWithAgentKeys() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(agentKey.publicKeyLine()));
                SshAgent sshAgent = SshAgent.connect(socket);
                SshClient client = new SshClient()) {
            SshPublicKey hostKey = PublicKeys.parseLine(server.hostPublicKeyLine());
            SshClient.Target target = SshClient.Target.of("127.0.0.1", server.port(),
                    System.getProperty("user.name"), sshAgent.identities())
                    .withTransport(TransportConfig.defaults().withHostKeyVerifier((h, p, k) ->
                            k.equals(hostKey) ? null : "Host key verification failed."));
            Future<SshConnection> connecting = client.connect(target).awaitUninterruptibly();
            assertThat(connecting.cause()).isNull();
            connecting.getNow().close().awaitUninterruptibly();
        }
    }
}
