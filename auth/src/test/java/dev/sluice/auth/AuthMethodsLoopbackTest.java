package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.SshKeyPair;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice client against Sluice server over loopback sockets, method by method: password (retries, change request,
 * empty passwords), keyboard-interactive rounds, AuthenticationMethods with partial success, BatchMode, the banner,
 * MaxAuthTries, and authorized_keys options reaching {@link AuthenticatedUser}.
 */
class AuthMethodsLoopbackTest {
    private static EventLoopGroup group;
    private static final SshKeyPair HOST_KEY = SshKeyPair.generateEd25519("host");
    private static final SshKeyPair USER_KEY = SshKeyPair.generateEd25519("user");

    @TempDir
    Path dir;

    @BeforeAll
    static void startLoop() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers prompts from a script and records what was asked and shown, as a terminal would see it. */
    static final class ScriptedUser implements UserInteraction {
        final Deque<String> answers;
        final List<String> transcript = new ArrayList<>();

        ScriptedUser(String... answers) {
            this.answers = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public synchronized char[] prompt(String prompt, boolean echo) {
            transcript.add(prompt + (echo ? "[echo]" : ""));
            String a = answers.poll();
            return a == null ? null : a.toCharArray();
        }

        @Override
        public synchronized void show(String message) {
            transcript.add("> " + message);
        }
    }

    private static final PasswordAuthenticator SECRET = (user, pw) ->
            user.equals("tester") && new String(pw).equals("secret")
                    ? PasswordAuthenticator.Result.SUCCESS : PasswordAuthenticator.Result.FAILURE;

    private record Outcome(Throwable clientFailure, AuthenticatedUser serverUser, TransportSession clientSession,
            List<String> banners) {
    }

    private Outcome run(PublicKeyAuthenticator keys, ServerAuthConfig server, int maxAuthTries,
            List<SshKeyPair> identities, ClientAuthConfig client) throws Exception {
        return run(keys, server, maxAuthTries, identities, client, null);
    }

    private Outcome run(PublicKeyAuthenticator keys, ServerAuthConfig server, int maxAuthTries,
            List<SshKeyPair> identities, ClientAuthConfig client, UserAuthPolicy policy) throws Exception {
        CompletableFuture<AuthenticatedUser> serverUser = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TransportSession session = TransportPipeline.install(ch.pipeline(), Role.SERVER,
                                TransportConfig.defaults().withHostKeys(List.of(HOST_KEY)));
                        session.peer(ch.remoteAddress().getAddress().getHostAddress(), ch.remoteAddress().getPort());
                        Promise<AuthenticatedUser> user = ch.eventLoop().newPromise();
                        user.addListener(f -> {
                            if (f.isSuccess()) {
                                serverUser.complete(user.getNow());
                                assertThat(AuthenticatedUser.of(ch)).isSameAs(user.getNow());
                            }
                        });
                        ch.pipeline().addLast(new UserAuthServerHandler(session, keys, server, maxAuthTries, 120,
                                user, policy));
                        ch.pipeline().addLast(TransportPipeline.newDisconnectOnErrorHandler(session));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try {
            AtomicReference<TransportSession> session = new AtomicReference<>();
            AtomicReference<Promise<Void>> auth = new AtomicReference<>();
            List<String> banners = new ArrayList<>();
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            TransportSession s = TransportPipeline.install(ch.pipeline(), Role.CLIENT,
                                    TransportConfig.defaults());
                            s.peer("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
                            session.set(s);
                            Promise<Void> p = ch.eventLoop().newPromise();
                            auth.set(p);
                            ch.pipeline().addLast(new UserAuthClientHandler(s, "tester", identities, client,
                                    banners::add, p));
                            ch.pipeline().addLast(TransportPipeline.newDisconnectOnErrorHandler(s));
                        }
                    })
                    .connect(listener.localAddress()).sync().channel();
            assertThat(auth.get().await(10, TimeUnit.SECONDS)).isTrue();
            Throwable failure = auth.get().cause();
            AuthenticatedUser user = failure == null ? serverUser.get(5, TimeUnit.SECONDS) : null;
            ch.close().sync();
            return new Outcome(failure, user, session.get(), banners);
        } finally {
            listener.close().sync();
        }
    }

    private static ClientAuthConfig client(UserInteraction ui) {
        return ClientAuthConfig.DEFAULT.withInteraction(ui);
    }

    private static ServerAuthConfig passwordServer(PasswordAuthenticator p) {
        return new ServerAuthConfig(p, null, List.of(), false, null);
    }

    @Test
    void passwordIsAskedAsSshAsksAndAccepted() throws Exception {
        ScriptedUser ui = new ScriptedUser("secret");
        Outcome o = run(null, passwordServer(SECRET), 6, List.of(), client(ui));
        assertThat(o.clientFailure()).isNull();
        assertThat(o.serverUser().methods()).containsExactly("password");
        assertThat(o.serverUser().restrictions()).isSameAs(KeyRestrictions.NONE);
        assertThat(ui.transcript).containsExactly("tester@127.0.0.1's password: ");
    }

    @Test
    void wrongPasswordsAreRetriedThenPermissionDenied() throws Exception {
        ScriptedUser ui = new ScriptedUser("a", "b", "c", "secret");
        Outcome o = run(null, passwordServer(SECRET), 6, List.of(), client(ui));
        assertThat(o.clientFailure()).isInstanceOf(AuthenticationException.class)
                .hasMessage("Permission denied (password).");
        assertThat(ui.transcript).containsExactly("tester@127.0.0.1's password: ",
                "> Permission denied, please try again.", "tester@127.0.0.1's password: ",
                "> Permission denied, please try again.", "tester@127.0.0.1's password: ");
    }

    @Test
    void secondPasswordAttemptSucceeds() throws Exception {
        ScriptedUser ui = new ScriptedUser("wrong", "secret");
        Outcome o = run(null, passwordServer(SECRET), 6, List.of(), client(ui));
        assertThat(o.clientFailure()).isNull();
        assertThat(o.serverUser().user()).isEqualTo("tester");
    }

    @Test
    void batchModeNeverPromptsAndListsTheServersMethods() throws Exception {
        Outcome o = run((u, k) -> false, passwordServer(SECRET), 6, List.of(USER_KEY),
                ClientAuthConfig.DEFAULT);
        assertThat(o.clientFailure()).hasMessage("Permission denied (publickey,password).");
    }

    @Test
    void clientSettingsChooseAndOrderTheMethods() throws Exception {
        ServerAuthConfig both = new ServerAuthConfig(SECRET, KeyboardInteractiveAuthenticator.password(SECRET),
                List.of(), false, null);
        PublicKeyAuthenticator keys = (u, k) -> k.equals(USER_KEY.publicKey());
        // PubkeyAuthentication no: the accepted key is never offered, a password is asked instead.
        ScriptedUser ui = new ScriptedUser("secret");
        Outcome noPubkey = run(keys, both, 6, List.of(USER_KEY), new ClientAuthConfig(
                ClientAuthConfig.DEFAULT_PREFERRED, false, true, true, 3, ui));
        assertThat(noPubkey.serverUser().methods()).containsExactly("keyboard-interactive");
        // PreferredAuthentications puts password first.
        Outcome passwordFirst = run(keys, both, 6, List.of(USER_KEY), new ClientAuthConfig(
                List.of("password", "publickey"), true, true, true, 3, new ScriptedUser("secret")));
        assertThat(passwordFirst.serverUser().methods()).containsExactly("password");
        // KbdInteractiveAuthentication and PasswordAuthentication no leave only the key.
        Outcome keyOnly = run(keys, both, 6, List.of(USER_KEY), new ClientAuthConfig(
                List.of("password", "keyboard-interactive", "publickey"), true, false, false, 3,
                new ScriptedUser("secret")));
        assertThat(keyOnly.serverUser().methods()).containsExactly("publickey");
    }

    @Test
    void aPolicyShouldChooseTheSettingsOnceTheUserIsNamed() throws Exception {
        List<String> asked = new ArrayList<>();
        UserAuthPolicy perUser = (user, socket) -> {
            asked.add(user + " from " + ((InetSocketAddress) socket.remoteAddress()).getAddress().getHostAddress());
            return new UserAuthPolicy.Settings(null, new ServerAuthConfig(SECRET, null, List.of(), false,
                    "Hello " + user + "\n"), 1);
        };
        ScriptedUser ui = new ScriptedUser("secret");
        // The defaults offer only publickey with a key that is refused; the policy's password settings apply.
        Outcome o = run((u, k) -> false, ServerAuthConfig.PUBLICKEY_ONLY, 6, List.of(USER_KEY), client(ui), perUser);
        assertThat(o.clientFailure()).isNull();
        assertThat(o.serverUser().methods()).containsExactly("password");
        assertThat(o.banners()).containsExactly("Hello tester\n");
        assertThat(asked).containsExactly("tester from 127.0.0.1");

        Outcome oneTry = run(null, ServerAuthConfig.PUBLICKEY_ONLY, 6, List.of(), client(new ScriptedUser("bad")),
                perUser);
        assertThat(oneTry.clientSession().closed()).get().satisfies(c -> assertThat(c.message())
                .as("the policy's MaxAuthTries 1").isEqualTo("Too many authentication failures"));
    }

    @Test
    void aPolicyThatRefusesEveryMethodShouldCloseTheConnection() throws Exception {
        UserAuthPolicy none = (user, socket) -> {
            throw new IllegalArgumentException("No AuthenticationMethods left after eliminating disabled methods");
        };
        Outcome o = run(null, passwordServer(SECRET), 6, List.of(), client(new ScriptedUser("secret")), none);
        assertThat(o.clientFailure()).isNotNull();
        assertThat(o.serverUser()).isNull();
    }

    @Test
    void maxAuthTriesDisconnectsWithSshdsMessage() throws Exception {
        ScriptedUser ui = new ScriptedUser("a", "b", "c", "d", "e");
        ClientAuthConfig config = new ClientAuthConfig(ClientAuthConfig.DEFAULT_PREFERRED, true, true, true, 5, ui);
        Outcome o = run(null, passwordServer(SECRET), 2, List.of(), config);
        assertThat(o.clientFailure()).isNotNull();
        assertThat(o.clientSession().closed()).get().satisfies(c -> {
            assertThat(c.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            assertThat(c.message()).isEqualTo("Too many authentication failures");
            assertThat(c.local()).isFalse();
        });
    }

    @Test
    void expiredPasswordIsChangedThroughTheChangeRequest() throws Exception {
        List<String> changes = new ArrayList<>();
        PasswordAuthenticator expiring = new PasswordAuthenticator() {
            @Override
            public Result authenticate(String user, char[] password) {
                return new String(password).equals("old") ? Result.changeRequired("Password expired.")
                        : Result.FAILURE;
            }

            @Override
            public Result changePassword(String user, char[] oldPassword, char[] newPassword) {
                changes.add(new String(oldPassword) + "->" + new String(newPassword));
                return new String(oldPassword).equals("old") ? Result.SUCCESS : Result.FAILURE;
            }
        };
        ScriptedUser ui = new ScriptedUser("old", "old", "new1", "new2", "new", "new");
        Outcome o = run(null, passwordServer(expiring), 6, List.of(), client(ui));
        assertThat(o.clientFailure()).isNull();
        assertThat(changes).containsExactly("old->new");
        assertThat(ui.transcript).containsExactly("tester@127.0.0.1's password: ", "> Password expired.",
                "Enter tester@127.0.0.1's old password: ", "Enter tester@127.0.0.1's new password: ",
                "Retype tester@127.0.0.1's new password: ", "> Mismatch; try again, EOF to quit.",
                "Enter tester@127.0.0.1's new password: ", "Retype tester@127.0.0.1's new password: ");
    }

    @Test
    void emptyPasswordIsRefusedUnlessPermitted() throws Exception {
        PasswordAuthenticator empty = (u, pw) -> pw.length == 0 ? PasswordAuthenticator.Result.SUCCESS
                : PasswordAuthenticator.Result.FAILURE;
        Outcome refused = run(null, passwordServer(empty), 6, List.of(), client(new ScriptedUser("")));
        assertThat(refused.clientFailure()).hasMessage("Permission denied (password).");
        // With PermitEmptyPasswords the "none" probe itself logs in, as with sshd.
        Outcome permitted = run(null, new ServerAuthConfig(empty, null, List.of(), true, null), 6, List.of(),
                client(new ScriptedUser()));
        assertThat(permitted.clientFailure()).isNull();
        assertThat(permitted.serverUser().methods()).containsExactly("password");
    }

    @Test
    void keyboardInteractiveRunsSeveralRounds() throws Exception {
        KeyboardInteractiveAuthenticator twoRounds = (user, sub) -> new KeyboardInteractiveAuthenticator
                .Conversation() {
            private int round;

            @Override
            public KeyboardInteractiveAuthenticator.Step next(List<char[]> answers) {
                round++;
                if (round == 1) {
                    return KeyboardInteractiveAuthenticator.Step.ask("Two-step login", "Answer both.",
                            List.of(new KeyboardInteractiveAuthenticator.Prompt("Password: ", false),
                                    new KeyboardInteractiveAuthenticator.Prompt("Team: ", true)));
                }
                if (round == 2) {
                    boolean ok = answers.size() == 2 && new String(answers.get(0)).equals("secret")
                            && new String(answers.get(1)).equals("blue");
                    return ok ? KeyboardInteractiveAuthenticator.Step.ask("", "",
                            List.of(new KeyboardInteractiveAuthenticator.Prompt("Code: ", true)))
                            : KeyboardInteractiveAuthenticator.Step.reject();
                }
                return answers.size() == 1 && new String(answers.get(0)).equals("42")
                        ? KeyboardInteractiveAuthenticator.Step.accept()
                        : KeyboardInteractiveAuthenticator.Step.reject();
            }
        };
        ScriptedUser ui = new ScriptedUser("secret", "blue", "42");
        Outcome o = run(null, new ServerAuthConfig(null, twoRounds, List.of(), false, null), 6, List.of(),
                client(ui));
        assertThat(o.clientFailure()).isNull();
        assertThat(o.serverUser().methods()).containsExactly("keyboard-interactive");
        assertThat(ui.transcript).containsExactly("> Two-step login", "> Answer both.",
                "(tester@127.0.0.1) Password: ", "(tester@127.0.0.1) Team: [echo]", "(tester@127.0.0.1) Code: [echo]");
    }

    @Test
    void keyboardInteractiveOverPasswordsAsksPassword() throws Exception {
        ScriptedUser ui = new ScriptedUser("nope", "secret");
        Outcome o = run(null, new ServerAuthConfig(null, KeyboardInteractiveAuthenticator.password(SECRET),
                List.of(), false, null), 6, List.of(), client(ui));
        assertThat(o.clientFailure()).isNull();
        assertThat(ui.transcript).containsExactly("(tester@127.0.0.1) Password: ", "(tester@127.0.0.1) Password: ");
    }

    @Test
    void authenticationMethodsNeedsEveryStepWithPartialSuccess() throws Exception {
        ServerAuthConfig both = new ServerAuthConfig(SECRET, KeyboardInteractiveAuthenticator.password(SECRET),
                ServerAuthConfig.parseAuthenticationMethods("publickey,password publickey,keyboard-interactive"),
                false, null);
        PublicKeyAuthenticator keys = (u, k) -> k.equals(USER_KEY.publicKey());
        // The client prefers password over keyboard-interactive here, so the second step is a password.
        ClientAuthConfig config = new ClientAuthConfig(List.of("publickey", "password", "keyboard-interactive"),
                true, true, true, 3, new ScriptedUser("secret"));
        Outcome o = run(keys, both, 6, List.of(USER_KEY), config);
        assertThat(o.clientFailure()).isNull();
        assertThat(o.serverUser().methods()).containsExactly("publickey", "password");

        // Without the key, no list can start: a password alone is not offered.
        ScriptedUser ui = new ScriptedUser("secret");
        Outcome noKey = run(keys, both, 6, List.of(), client(ui));
        assertThat(noKey.clientFailure()).hasMessage("Permission denied (publickey).");
        assertThat(ui.transcript).isEmpty();
    }

    @Test
    void bannerArrivesBeforeTheFirstReply() throws Exception {
        Outcome o = run(null, new ServerAuthConfig(SECRET, null, List.of(), false, "Authorised users only.\n"), 6,
                List.of(), client(new ScriptedUser("secret")));
        assertThat(o.clientFailure()).isNull();
        assertThat(o.banners()).containsExactly("Authorised users only.\n");
    }

    @Test
    void authorizedKeysOptionsReachTheAuthenticatedUser() throws Exception {
        Path file = dir.resolve("authorized_keys");
        Files.writeString(file, "restrict,port-forwarding,permitopen=\"127.0.0.1:80\",command=\"echo hi\" "
                + USER_KEY.publicKey().toOpenSshLine("user") + "\n");
        Outcome o = run(new AuthorizedKeysAuthenticator(file), ServerAuthConfig.PUBLICKEY_ONLY, 6,
                List.of(USER_KEY), ClientAuthConfig.DEFAULT);
        assertThat(o.clientFailure()).isNull();
        KeyRestrictions r = o.serverUser().restrictions();
        assertThat(r.portForwardingAllowed()).isTrue();
        assertThat(r.ptyAllowed()).isFalse();
        assertThat(r.permitOpen()).containsExactly("127.0.0.1:80");
        assertThat(r.forcedCommand()).contains("echo hi");
    }

    @Test
    void fromOptionRefusesOtherAddresses() throws Exception {
        Path file = dir.resolve("authorized_keys");
        Files.writeString(file, "from=\"10.0.0.0/8,!127.0.0.1\" " + USER_KEY.publicKey().toOpenSshLine("u") + "\n");
        Outcome o = run(new AuthorizedKeysAuthenticator(file), ServerAuthConfig.PUBLICKEY_ONLY, 6,
                List.of(USER_KEY), ClientAuthConfig.DEFAULT);
        assertThat(o.clientFailure()).hasMessage("Permission denied (publickey).");
        Files.writeString(file, "from=\"127.0.0.0/8\" " + USER_KEY.publicKey().toOpenSshLine("u") + "\n");
        assertThat(run(new AuthorizedKeysAuthenticator(file), ServerAuthConfig.PUBLICKEY_ONLY, 6,
                List.of(USER_KEY), ClientAuthConfig.DEFAULT).clientFailure()).isNull();
    }

    @Test
    void expiredKeyIsRefused() throws Exception {
        Path file = dir.resolve("authorized_keys");
        Files.writeString(file, "expiry-time=\"20200101\" " + USER_KEY.publicKey().toOpenSshLine("u") + "\n");
        Outcome o = run(new AuthorizedKeysAuthenticator(file), ServerAuthConfig.PUBLICKEY_ONLY, 6,
                List.of(USER_KEY), ClientAuthConfig.DEFAULT);
        assertThat(o.clientFailure()).hasMessage("Permission denied (publickey).");
    }
}
