package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.ClientAuthConfig;
import dev.sluice.auth.KeyboardInteractiveAuthenticator;
import dev.sluice.auth.ServerAuthConfig;
import dev.sluice.auth.ShadowPasswordAuthenticator;
import dev.sluice.auth.UserInteraction;
import dev.sluice.connection.MaxStartups;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.interop.harness.Askpass;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.SystemUsers;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshPublicKey;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password, keyboard-interactive and multi-step authentication with real OpenSSH on the other side: {@code ssh} (its
 * prompts answered through SSH_ASKPASS) against a Sluice server checking /etc/shadow, and {@code sluice ssh} and the
 * Java API against {@code sshd} with PasswordAuthentication (and keyboard-interactive through PAM with UsePAM yes).
 * A local user with a known password is created for it (root needed). Refusals are checked word for word against
 * what ssh prints, with exit status 255.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PasswordAuthInteropTest {
    private static final String USER = "sluicepw";
    private static final String PASSWORD = "Sl-pw-4-tests";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeAll
    static void createUser() throws Exception {
        assumeTrue(SystemUsers.canCreate(), "password tests need root to create a user with a known password");
        SystemUsers.ensure(USER, PASSWORD);
        LogCapture.install();
    }

    private static ServerAuthConfig shadowPasswords() {
        ShadowPasswordAuthenticator shadow = new ShadowPasswordAuthenticator();
        return new ServerAuthConfig(shadow, KeyboardInteractiveAuthenticator.password(shadow), List.of(), false,
                null);
    }

    private EmbeddedSluiceServer sluiceServer(List<String> keys, ServerAuthConfig auth, int maxAuthTries)
            throws Exception {
        return EmbeddedSluiceServer.start(dir, keys, null, auth, maxAuthTries, MaxStartups.DEFAULT);
    }

    private static OpenSshClient ssh(int port, Askpass askpass, String methods) {
        OpenSshClient c = OpenSshClient.to(port).user(USER).option("BatchMode", "no")
                .option("PreferredAuthentications", methods).option("PubkeyAuthentication", "yes");
        askpass.environment().forEach(c::environment);
        return c;
    }

    // OpenSSH ssh -> Sluice server

    @Test
    void sshLogsInToSluiceWithASystemPassword() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = sluiceServer(List.of(), shadowPasswords(), 6);
                ManagedProcess ssh = ssh(server.port(), askpass, "password").start()) {
            LogCapture.await(mark, "Accepted password for " + USER + " from 127.0.0.1", TIMEOUT);
            assertThat(askpass.prompts()).containsExactly(USER + "@127.0.0.1's password: ");
            assertThat(ssh.isAlive()).isTrue();
        }
    }

    @Test
    void sshWrongPasswordIsDeniedAsSshSaysIt() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of("wrong-1", "wrong-2"));
        try (EmbeddedSluiceServer server = sluiceServer(List.of(), shadowPasswords(), 6);
                ManagedProcess ssh = ssh(server.port(), askpass, "password")
                        .option("NumberOfPasswordPrompts", "2").start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Permission denied, please try again.")
                    .contains(USER + "@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).");
            assertThat(askpass.prompts()).hasSize(2);
        }
    }

    @Test
    void sshTooManyAttemptsIsDisconnectedAsBySshd() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of("a", "b", "c", "d", "e"));
        try (EmbeddedSluiceServer server = sluiceServer(List.of(), shadowPasswords(), 2);
                ManagedProcess ssh = ssh(server.port(), askpass, "password")
                        .option("NumberOfPasswordPrompts", "5").start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Received disconnect from 127.0.0.1 port " + server.port()
                    + ":2: Too many authentication failures");
        }
    }

    @Test
    void sshAnswersSluiceKeyboardInteractivePrompts() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = sluiceServer(List.of(), shadowPasswords(), 6);
                ManagedProcess ssh = ssh(server.port(), askpass, "keyboard-interactive").start()) {
            LogCapture.await(mark, "Accepted keyboard-interactive for " + USER, TIMEOUT);
            assertThat(askpass.prompts()).containsExactly("(" + USER + "@127.0.0.1) Password: ");
        }
    }

    @Test
    void sshAnswersSeveralKeyboardInteractiveRounds() throws Exception {
        KeyboardInteractiveAuthenticator twoRounds = (user, sub) -> new KeyboardInteractiveAuthenticator
                .Conversation() {
            private int round;

            @Override
            public KeyboardInteractiveAuthenticator.Step next(List<char[]> answers) {
                round++;
                if (round == 1) {
                    return KeyboardInteractiveAuthenticator.Step.ask("Sluice two-step", "Both, please.", List.of(
                            new KeyboardInteractiveAuthenticator.Prompt("First: ", false),
                            new KeyboardInteractiveAuthenticator.Prompt("Second: ", true)));
                }
                if (round == 2 && new String(answers.get(0)).equals("one")
                        && new String(answers.get(1)).equals("two")) {
                    return KeyboardInteractiveAuthenticator.Step.ask("", "",
                            List.of(new KeyboardInteractiveAuthenticator.Prompt("Code: ", false)));
                }
                return round == 3 && new String(answers.get(0)).equals("42")
                        ? KeyboardInteractiveAuthenticator.Step.accept()
                        : KeyboardInteractiveAuthenticator.Step.reject();
            }
        };
        Askpass askpass = Askpass.answering(dir, List.of("one", "two", "42"));
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = sluiceServer(List.of(),
                new ServerAuthConfig(null, twoRounds, List.of(), false, null), 6);
                ManagedProcess ssh = ssh(server.port(), askpass, "keyboard-interactive").start()) {
            LogCapture.await(mark, "Accepted keyboard-interactive for " + USER, TIMEOUT);
            String who = "(" + USER + "@127.0.0.1) ";
            assertThat(askpass.prompts()).containsExactly(who + "First: ", who + "Second: ", who + "Code: ");
            ssh.awaitStderr("Both, please.", TIMEOUT);
            assertThat(ssh.stderr()).contains("Sluice two-step");
        }
    }

    @Test
    void sshCompletesAuthenticationMethodsPublickeyThenPassword() throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        ServerAuthConfig twoSteps = shadowPasswords().withAuthenticationMethods(
                ServerAuthConfig.parseAuthenticationMethods("publickey,password publickey,keyboard-interactive"));
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = sluiceServer(List.of(key.publicKeyLine()), twoSteps, 6);
                ManagedProcess ssh = ssh(server.port(), askpass, "publickey,password")
                        .identity(key.privateKey()).start()) {
            String log = LogCapture.await(mark, "Accepted password for " + USER, TIMEOUT);
            assertThat(LogCapture.since(mark)).contains("Partial publickey for " + USER);
            assertThat(askpass.prompts()).containsExactly(USER + "@127.0.0.1's password: ");
            assertThat(log).isNotEmpty();
        }
    }

    @Test
    void sshKeyRefusedByFromOptionOrExpiryIsPermissionDenied() throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        for (String options : List.of("from=\"10.0.0.0/8\"", "expiry-time=\"20200101\"")) {
            try (EmbeddedSluiceServer server = sluiceServer(List.of(options + " " + key.publicKeyLine()),
                    ServerAuthConfig.PUBLICKEY_ONLY, 6);
                    ManagedProcess ssh = OpenSshClient.to(server.port()).user(USER).identity(key.privateKey())
                            .start()) {
                assertThat(ssh.awaitExit(TIMEOUT)).as(options).isEqualTo(255);
                assertThat(ssh.stderr()).as(options).contains(USER + "@127.0.0.1: Permission denied (publickey).");
            }
        }
    }

    @Test
    void maxStartupsDropsConnectionsPastTheLimitWithSshdsLogLine() throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        long mark = LogCapture.mark();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(key.publicKeyLine()), null,
                ServerAuthConfig.PUBLICKEY_ONLY, 6, MaxStartups.parse("1"));
                Socket idle = new Socket(TcpPorts.loopback(), server.port())) {
            // The idle socket never authenticates, so it holds the one MaxStartups place.
            idle.getInputStream().read(new byte[64]);
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).user(USER).identity(key.privateKey())
                    .start()) {
                assertThat(ssh.awaitExit(TIMEOUT)).isEqualTo(255);
                assertThat(ssh.stderr()).containsAnyOf("kex_exchange_identification", "Connection reset",
                        "Connection closed");
            }
            assertThat(LogCapture.await(mark, "past MaxStartups", TIMEOUT)).contains("drop connection #1 from "
                    + "[127.0.0.1]:").contains(" on [127.0.0.1]:" + server.port());
            idle.close();
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).user(USER).identity(key.privateKey())
                    .start()) {
                LogCapture.await(mark, "Accepted publickey for " + USER, TIMEOUT);
                assertThat(ssh.isAlive()).isTrue();
            }
        }
    }

    @Test
    void sshLogsInToSluiceServerCommandWithItsSshdConfigKeywords() throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), key.publicKeyLine() + "\n");
        Path banner = Files.writeString(dir.resolve("banner"), "Sluice test banner\n");
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-h", hostKey.privateKey().toString(),
                "-o", "AuthorizedKeysFile=" + authorized, "-o", "PasswordAuthentication=yes",
                "-o", "AuthenticationMethods=publickey,password", "-o", "Banner=" + banner,
                "-o", "MaxStartups=10:30:60", "-o", "LogLevel=VERBOSE"));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", TIMEOUT);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            try (ManagedProcess ssh = ssh(port, askpass, "publickey,password").identity(key.privateKey()).start()) {
                server.awaitStderr("Accepted password for " + USER, TIMEOUT);
                assertThat(server.stderr()).contains("Partial publickey for " + USER);
                assertThat(ssh.awaitStderr("Sluice test banner", TIMEOUT)).isNotEmpty();
            }
        }
    }

    // Sluice client -> OpenSSH sshd

    private static OpenSshServer sshd(String... extra) throws IOException {
        List<String> config = new ArrayList<>(List.of("PasswordAuthentication yes"));
        config.addAll(List.of(extra));
        return OpenSshServer.start(List.of(), config.toArray(String[]::new));
    }

    private SluiceSshCommand sluiceSsh(OpenSshServer server, Askpass askpass) throws IOException {
        return sluiceSsh(server, askpass, "no");
    }

    /** With BatchMode given here: sluice ssh, like ssh, keeps the first value of a keyword. */
    private SluiceSshCommand sluiceSsh(OpenSshServer server, Askpass askpass, String batchMode) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        SluiceSshCommand c = SluiceSshCommand.to(server.port()).knownHosts(knownHosts).user(USER)
                .option("BatchMode", batchMode);
        askpass.environment().forEach(c::environment);
        return c;
    }

    @Test
    void sluiceSshLogsInToSshdWithAPassword() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        try (OpenSshServer server = sshd();
                ManagedProcess sluice = sluiceSsh(server, askpass).start()) {
            server.awaitLog("Accepted password for " + USER + " from 127.0.0.1", TIMEOUT);
            assertThat(askpass.prompts()).containsExactly(USER + "@127.0.0.1's password: ");
            assertThat(sluice.isAlive()).isTrue();
        }
    }

    @Test
    void sluiceSshWrongPasswordIsDeniedAsSshSaysIt() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of("bad-1", "bad-2", "bad-3"));
        try (OpenSshServer server = sshd();
                ManagedProcess sluice = sluiceSsh(server, askpass).start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(sluice.stderr()).contains("Permission denied, please try again.")
                    .contains(USER + "@127.0.0.1: Permission denied (publickey,password).");
            assertThat(askpass.prompts()).hasSize(3);
        }
    }

    @Test
    void sluiceSshTooManyAttemptsIsDisconnectedAsSshSaysIt() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of("a", "b", "c", "d"));
        try (OpenSshServer server = sshd("MaxAuthTries 2");
                ManagedProcess sluice = sluiceSsh(server, askpass).option("NumberOfPasswordPrompts", "4").start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(sluice.stderr()).contains("Received disconnect from 127.0.0.1 port " + server.port()
                    + ":2: Too many authentication failures");
        }
    }

    @Test
    void sluiceSshCompletesSshdsAuthenticationMethods() throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        try (OpenSshServer server = OpenSshServer.builder().authorizedKey(key.publicKeyLine())
                .config("PasswordAuthentication yes").config("AuthenticationMethods publickey,password").start();
                ManagedProcess sluice = sluiceSsh(server, askpass).identity(key.privateKey()).start()) {
            server.awaitLog("Accepted password for " + USER, TIMEOUT);
            assertThat(server.log()).contains("Partial publickey for " + USER);
            assertThat(sluice.isAlive()).isTrue();
        }
    }

    @Test
    void sluiceSshAnswersSshdPamKeyboardInteractive() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of("wrong", PASSWORD));
        try (OpenSshServer server = OpenSshServer.start(List.of(), "UsePAM yes", "KbdInteractiveAuthentication yes");
                ManagedProcess sluice = sluiceSsh(server, askpass)
                        .option("PreferredAuthentications", "keyboard-interactive").start()) {
            server.awaitLog("Accepted keyboard-interactive/pam for " + USER, TIMEOUT);
            assertThat(askpass.prompts()).containsExactly("(" + USER + "@127.0.0.1) Password: ",
                    "(" + USER + "@127.0.0.1) Password: ");
        }
    }

    @Test
    void sluiceSshPrintsSshdsBannerBeforeLoggingIn() throws Exception {
        Path banner = Files.writeString(dir.resolve("banner"), "Authorised use only: sshd banner\n");
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        try (OpenSshServer server = sshd("Banner " + banner);
                ManagedProcess sluice = sluiceSsh(server, askpass).start()) {
            server.awaitLog("Accepted password for " + USER, TIMEOUT);
            assertThat(sluice.awaitStderr("Authorised use only: sshd banner", TIMEOUT)).isNotEmpty();
        }
    }

    @Test
    void batchModeSluiceSshNeverPrompts() throws Exception {
        Askpass askpass = Askpass.answering(dir, List.of(PASSWORD));
        try (OpenSshServer server = sshd();
                ManagedProcess sluice = sluiceSsh(server, askpass, "yes").start()) {
            assertThat(sluice.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(sluice.stderr()).contains(USER + "@127.0.0.1: Permission denied (publickey,password).");
            assertThat(askpass.prompts()).isEmpty();
        }
    }

    @Test
    void javaApiLogsInToSshdWithAPasswordCallback() throws Exception {
        List<String> asked = new ArrayList<>();
        UserInteraction callback = new UserInteraction() {
            @Override
            public char[] prompt(String prompt, boolean echo) {
                asked.add(prompt);
                return PASSWORD.toCharArray();
            }

            @Override
            public void show(String message) {
                asked.add("> " + message);
            }
        };
        try (OpenSshServer server = sshd(); SshClient client = new SshClient()) {
            SshPublicKey hostKey = PublicKeys.parseLine(server.hostPublicKeyLine());
            SshClient.Target target = SshClient.Target.of("127.0.0.1", server.port(), USER, List.of())
                    .withTransport(TransportConfig.defaults().withHostKeyVerifier((h, p, k) ->
                            k.equals(hostKey) ? null : "Host key verification failed."))
                    .withAuth(ClientAuthConfig.DEFAULT.withInteraction(callback));
            Future<SshConnection> connecting = client.connect(target).awaitUninterruptibly();
            assertThat(connecting.cause()).isNull();
            assertThat(asked).containsExactly(USER + "@127.0.0.1's password: ");
            connecting.getNow().close().awaitUninterruptibly();

            asked.clear();
            Future<SshConnection> refused = client.connect(target.withAuth(ClientAuthConfig.DEFAULT
                    .withInteraction(new UserInteraction() {
                        @Override
                        public char[] prompt(String prompt, boolean echo) {
                            asked.add(prompt);
                            return "wrong".toCharArray();
                        }

                        @Override
                        public void show(String message) {
                            asked.add("> " + message);
                        }
                    }))).awaitUninterruptibly();
            assertThat(refused.cause()).isInstanceOf(AuthenticationException.class)
                    .hasMessage("Permission denied (publickey,password).");
            assertThat(asked).hasSize(5).contains("> Permission denied, please try again.");
        }
    }
}
