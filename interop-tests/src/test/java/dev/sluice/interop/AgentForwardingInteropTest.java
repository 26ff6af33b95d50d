package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.SshConnection;
import dev.sluice.connection.session.ClientSession;
import dev.sluice.connection.session.ExitStatus;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.forwarding.AgentForwarding;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.transport.key.PublicKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent forwarding with a real {@code ssh-agent} holding a key added with {@code ssh-add}: OpenSSH's {@code ssh -A}
 * to a Sluice server and {@code sluice ssh -A} (and the Java API) to OpenSSH's {@code sshd}, where the remote
 * {@code ssh-add -l} must list that key; and the refusals (no -A, AllowAgentForwarding no, the key's
 * no-agent-forwarding), after which the remote command has no SSH_AUTH_SOCK.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentForwardingInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String SHOW_AUTH_SOCK = "echo sock=${SSH_AUTH_SOCK:-none}";

    @TempDir
    Path dir;
    private ManagedProcess agent;
    private Path agentSocket;
    private OpenSshKeys.KeyPairFiles agentKey;
    private OpenSshKeys.KeyPairFiles loginKey;
    /** The agent key's fingerprint as ssh-keygen prints it ({@code SHA256:…}). */
    private String fingerprint;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void startAgent() throws Exception {
        agentSocket = dir.resolve("agent.sock");
        agent = ManagedProcess.start("ssh-agent", List.of("ssh-agent", "-D", "-a", agentSocket.toString()));
        for (int i = 0; i < 200 && !Files.exists(agentSocket); i++) {
            Thread.sleep(25);
        }
        assertThat(agentSocket).exists();
        agentKey = OpenSshKeys.ed25519(dir, "agent_key");
        loginKey = OpenSshKeys.ed25519(dir, "login_key");
        assertThat(run(List.of("ssh-add", agentKey.privateKey().toString())).awaitExit(TIMEOUT)).isZero();
        ManagedProcess keygen = run(List.of("ssh-keygen", "-lf", agentKey.publicKey().toString()));
        assertThat(keygen.awaitExit(TIMEOUT)).isZero();
        fingerprint = keygen.stdout().split(" ")[1];
        assertThat(fingerprint).startsWith("SHA256:");
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    private ManagedProcess run(List<String> command) throws IOException {
        return ManagedProcess.start(command.get(0), command, Map.of("SSH_AUTH_SOCK", agentSocket.toString()), null);
    }

    /** A Sluice server serving sessions, granting agent forwarding to connections {@code allowed} accepts. */
    private EmbeddedSluiceServer sluiceServer(String authorizedKeyOptions, Predicate<SshConnection> allowed)
            throws Exception {
        String line = authorizedKeyOptions == null ? loginKey.publicKeyLine()
                : authorizedKeyOptions + " " + loginKey.publicKeyLine();
        return EmbeddedSluiceServer.start(dir, List.of(line), null,
                SessionConfig.defaults().withAgentForwarder(AgentForwarding.server(allowed)));
    }

    /** OpenSSH's ssh with the agent in SSH_AUTH_SOCK, logging in with the login key (not the agent's). */
    private ManagedProcess openSsh(int port, String command, String... args) throws IOException {
        ManagedProcess p = OpenSshClient.to(port).identity(loginKey.privateKey()).logLevel("ERROR")
                .environment("SSH_AUTH_SOCK", agentSocket.toString()).args(args).command(command).start();
        assertThat(p.awaitExit(TIMEOUT)).as(p.describe()).isZero();
        return p;
    }

    @Test
    void openSshClientWithDashAShouldReachItsAgentFromTheSluiceServer() throws Exception {
        try (EmbeddedSluiceServer server = sluiceServer(null, c -> true)) {
            ManagedProcess ssh = openSsh(server.port(), "ssh-add -l; " + SHOW_AUTH_SOCK, "-A");

            assertThat(ssh.stdout()).contains(fingerprint).contains("agent_key@sluice-test");
            String socket = ssh.stdout().lines().filter(l -> l.startsWith("sock=")).findFirst().orElseThrow()
                    .substring("sock=".length());
            assertThat(Path.of(socket).getParent().toString()).matches("/tmp/ssh-[A-Za-z0-9]{10}");
            // The connection is over once ssh exits; the server removes the socket and its directory.
            for (int i = 0; i < 200 && Files.exists(Path.of(socket).getParent()); i++) {
                Thread.sleep(25);
            }
            assertThat(Path.of(socket).getParent()).doesNotExist();
        }
    }

    @Test
    void withoutDashAOrWhenRefusedTheSluiceServersCommandShouldHaveNoAgent() throws Exception {
        try (EmbeddedSluiceServer server = sluiceServer(null, c -> true)) {
            assertThat(openSsh(server.port(), SHOW_AUTH_SOCK).stdout()).as("no -A").isEqualTo("sock=none\n");
        }
        try (EmbeddedSluiceServer server = sluiceServer(null, c -> false)) {
            assertThat(openSsh(server.port(), SHOW_AUTH_SOCK, "-A").stdout()).as("AllowAgentForwarding no")
                    .isEqualTo("sock=none\n");
        }
        try (EmbeddedSluiceServer server = sluiceServer("no-agent-forwarding", c -> true)) {
            assertThat(openSsh(server.port(), SHOW_AUTH_SOCK, "-A").stdout()).as("no-agent-forwarding")
                    .isEqualTo("sock=none\n");
        }
        try (EmbeddedSluiceServer server = sluiceServer("restrict,agent-forwarding", c -> true)) {
            assertThat(openSsh(server.port(), "ssh-add -l", "-A").stdout()).as("restrict,agent-forwarding")
                    .contains(fingerprint);
        }
    }

    @Test
    void aCertificateShouldForwardTheAgentOnlyWithPermitAgentForwarding() throws Exception {
        OpenSshKeys.KeyPairFiles ca = OpenSshKeys.ed25519(dir, "user_ca");
        Path trustedCa = Files.writeString(dir.resolve("trusted_user_ca_keys"), ca.publicKeyLine() + "\n");
        SessionConfig sessions = SessionConfig.defaults().withAgentForwarder(AgentForwarding.server(c -> true));
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.startTrustingUserCa(dir, List.of(), trustedCa,
                sessions)) {
            certify(ca, "-O", "no-agent-forwarding");
            assertThat(openSsh(server.port(), SHOW_AUTH_SOCK, "-A").stdout()).as("without permit-agent-forwarding")
                    .isEqualTo("sock=none\n");
            certify(ca);
            assertThat(openSsh(server.port(), "ssh-add -l", "-A").stdout()).as("ssh-keygen's default extensions")
                    .contains(fingerprint);
        }
    }

    /** {@code ssh-keygen -s ca -I … -n USER [options] login_key.pub}: the login key's certificate, next to it. */
    private void certify(OpenSshKeys.KeyPairFiles ca, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", ca.privateKey().toString(),
                "-I", "agent-test", "-n", System.getProperty("user.name")));
        command.addAll(List.of(options));
        command.add(loginKey.publicKey().toString());
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen -s", command)) {
            assertThat(keygen.awaitExit(TIMEOUT)).as(keygen.stderr()).isZero();
        }
    }

    /** sluice server's keywords end to end: AllowAgentForwarding with a Match block, and PermitUserEnvironment. */
    @Test
    void sluiceServerShouldApplyAllowAgentForwardingPerMatchAndPermitUserEnvironment() throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("server_authorized_keys"),
                "environment=\"SLUICE_FROM_KEY=yes\" " + loginKey.publicKeyLine() + "\n");
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                HostKey %s
                AuthorizedKeysFile %s
                AllowAgentForwarding no
                PermitUserEnvironment SLUICE_*
                Match User agent-user
                    AllowAgentForwarding yes
                """.formatted(hostKey.privateKey(), authorized));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", TIMEOUT);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            String show = SHOW_AUTH_SOCK + "; echo key=${SLUICE_FROM_KEY:-unset}";

            ManagedProcess refused = OpenSshClient.to(port).identity(loginKey.privateKey()).logLevel("ERROR")
                    .environment("SSH_AUTH_SOCK", agentSocket.toString()).user("someone").args("-A").command(show)
                    .start();
            assertThat(refused.awaitExit(TIMEOUT)).as(refused.describe()).isZero();
            assertThat(refused.stdout()).isEqualTo("sock=none\nkey=yes\n");

            ManagedProcess granted = OpenSshClient.to(port).identity(loginKey.privateKey()).logLevel("ERROR")
                    .environment("SSH_AUTH_SOCK", agentSocket.toString()).user("agent-user").args("-A")
                    .command("ssh-add -l").start();
            assertThat(granted.awaitExit(TIMEOUT)).as(granted.describe()).isZero();
            assertThat(granted.stdout()).contains(fingerprint);
        }
    }

    private SluiceSshCommand sluiceSsh(OpenSshServer server, String... command) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return SluiceSshCommand.to(server.port()).knownHosts(knownHosts).identity(loginKey.privateKey())
                .logLevel("ERROR").environment("SSH_AUTH_SOCK", agentSocket.toString()).command(command);
    }

    @Test
    void sluiceSshWithDashAShouldReachItsAgentFromOpenSshd() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(loginKey.publicKeyLine()),
                "AllowAgentForwarding yes");
                ManagedProcess sluice = sluiceSsh(server, "ssh-add -l").args("-A").start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).as(sluice.describe()).isZero();
            assertThat(sluice.stdout()).contains(fingerprint).contains("agent_key@sluice-test");
        }
    }

    /**
     * ssh binds each forwarded agent connection to the SSH session (session-bind@openssh.com, for ssh-add -h
     * destination constraints); the real ssh-agent, in debug mode, records the binding from sluice ssh as from ssh.
     */
    @Test
    void forwardedAgentConnectionsShouldBeBoundToTheSessionAsSshBindsThem() throws Exception {
        agent.close();
        Files.deleteIfExists(agentSocket);
        agent = ManagedProcess.start("ssh-agent -d", List.of("ssh-agent", "-d", "-a", agentSocket.toString()));
        for (int i = 0; i < 200 && !Files.exists(agentSocket); i++) {
            Thread.sleep(25);
        }
        assertThat(run(List.of("ssh-add", agentKey.privateKey().toString())).awaitExit(TIMEOUT)).isZero();
        try (OpenSshServer server = OpenSshServer.start(List.of(loginKey.publicKeyLine()),
                "AllowAgentForwarding yes")) {
            assertThat(OpenSshClient.to(server.port()).identity(loginKey.privateKey()).logLevel("ERROR")
                    .environment("SSH_AUTH_SOCK", agentSocket.toString()).args("-A").command("ssh-add -l").start()
                    .awaitExit(TIMEOUT)).isZero();
            String hostKey = PublicKeys.parseLine(server.hostPublicKeyLine()).fingerprint();
            agent.awaitStderr("process_ext_session_bind: recorded ED25519 " + hostKey, TIMEOUT);
            long bySsh = bindings(hostKey);
            try (ManagedProcess sluice = sluiceSsh(server, "ssh-add -l").args("-A").start()) {
                assertThat(sluice.awaitExit(TIMEOUT)).as(sluice.describe()).isZero();
                assertThat(sluice.stdout()).contains(fingerprint);
            }
            // ssh also binds the connection it authenticates through; sluice ssh binds the forwarded one. The agent's
            // log is read by another thread: give it a moment.
            for (int i = 0; i < 100 && bindings(hostKey) < bySsh + 1; i++) {
                Thread.sleep(50);
            }
            assertThat(bindings(hostKey)).as(agent.stderr()).isEqualTo(bySsh + 1);
        }
    }

    /** The agent's "recorded" lines for bindings to {@code hostKey} so far. */
    private long bindings(String hostKey) {
        return agent.stderr().lines().filter(l -> l.contains("process_ext_session_bind: recorded ED25519 " + hostKey))
                .count();
    }

    @Test
    void sluiceSshForwardAgentPathShouldNameTheSocket() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(loginKey.publicKeyLine()),
                "AllowAgentForwarding yes");
                ManagedProcess sluice = sluiceSsh(server, "ssh-add -l").environment("SSH_AUTH_SOCK", "")
                        .option("ForwardAgent", agentSocket.toString()).start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).as(sluice.describe()).isZero();
            assertThat(sluice.stdout()).contains(fingerprint);
        }
    }

    @Test
    void sluiceSshWithoutDashAOrAgainstAllowAgentForwardingNoShouldForwardNothing() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(loginKey.publicKeyLine()),
                "AllowAgentForwarding yes");
                ManagedProcess sluice = sluiceSsh(server, SHOW_AUTH_SOCK).start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).as(sluice.describe()).isZero();
            assertThat(sluice.stdout()).isEqualTo("sock=none\n");
        }
        try (OpenSshServer server = OpenSshServer.start(List.of(loginKey.publicKeyLine()),
                "AllowAgentForwarding no");
                ManagedProcess sluice = sluiceSsh(server, SHOW_AUTH_SOCK).args("-A").start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).as(sluice.describe()).isZero();
            assertThat(sluice.stdout()).isEqualTo("sock=none\n");
        }
    }

    @Test
    void javaApiShouldForwardTheAgentToOpenSshd() throws Exception {
        try (OpenSshServer server = OpenSshServer.start(List.of(loginKey.publicKeyLine()),
                "AllowAgentForwarding yes");
                SluiceApiClient client = SluiceApiClient.connect(server.port(), loginKey.privateKey(),
                        server.hostPublicKeyLine(), t -> t, TIMEOUT)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ClientSession session = ClientSession.open(client.connection(), null, out, new ByteArrayOutputStream())
                    .get(30, TimeUnit.SECONDS);
            AgentForwarding.request(session, agentSocket).get(30, TimeUnit.SECONDS);
            assertThat(session.exec("ssh-add -l").get(30, TimeUnit.SECONDS)).isTrue();

            assertThat(session.exitStatus().get(30, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(fingerprint);
        }
    }

    @Test
    void aClientThatDidNotAskShouldRefuseTheServersAgentChannelsAsSshDoes() throws Exception {
        try (EmbeddedSluiceServer server = sluiceServer(null, c -> true);
                SluiceApiClient client = SluiceApiClient.connect(server.port(), loginKey.privateKey(),
                        server.hostPublicKeyLine(), t -> t, TIMEOUT)) {
            long mark = LogCapture.mark();
            ClientSession session = ClientSession.open(client.connection(), null, new ByteArrayOutputStream(),
                    new ByteArrayOutputStream()).get(30, TimeUnit.SECONDS);
            // The request alone, without accepting the agent channels that follow (what AgentForwarding adds).
            session.requestAgentForwarding().get(30, TimeUnit.SECONDS);
            assertThat(session.exec("ssh-add -l").get(30, TimeUnit.SECONDS)).isTrue();

            assertThat(session.exitStatus().get(30, TimeUnit.SECONDS).code()).as("ssh-add finds no agent")
                    .isNotZero();
            assertThat(LogCapture.since(mark)).contains("Warning: ssh server tried agent forwarding.")
                    .contains("open failed: administratively prohibited: open failed");
        }
    }
}
