package dev.sluice.connection.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.AuthenticatedUser;
import dev.sluice.auth.KeyRestrictions;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.ConnectionHandler;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.ChannelClose;
import dev.sluice.connection.message.ChannelFailure;
import dev.sluice.connection.message.ChannelOpen;
import dev.sluice.connection.message.ChannelOpenConfirmation;
import dev.sluice.connection.message.ChannelOpenFailure;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.connection.message.ChannelSuccess;
import dev.sluice.connection.message.ConnectionMessage;
import dev.sluice.connection.message.OpenFailureReason;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session requests as a server parses and answers them, through a real {@link ConnectionHandler} in an
 * {@link EmbeddedChannel}: env against AcceptEnv, pty-req, subsystems, malformed data, one command per session, the
 * command handed to the {@link CommandHandler}, and MaxSessions.
 */
class ServerSessionTest {
    private static final ConnectionConfig CONFIG = new ConnectionConfig(1024, 8192, 16);

    private final List<SessionCommand> started = new ArrayList<>();
    private EmbeddedChannel ch;

    /** A handler that records what it is asked to run and refuses it, so no process or thread is involved. */
    private final CommandHandler recording = command -> {
        started.add(command);
        throw new IOException("not running anything in a unit test");
    };

    private void start(SessionConfig config) {
        ch = new EmbeddedChannel(new ConnectionHandler(CONFIG,
                Map.of(SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(config))));
    }

    private SessionConfig config() {
        return SessionConfig.defaults().withHandler(recording).withAcceptEnv(List.of("LC_*", "LANG"))
                .withSubsystems(Map.of("sftp", "/usr/lib/openssh/sftp-server"));
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private void in(ConnectionMessage m) {
        ch.writeInbound(m.toPayload(PooledByteBufAllocator.DEFAULT));
        ch.checkException();
    }

    private ConnectionMessage out() {
        ch.runPendingTasks();
        ByteBuf b = ch.readOutbound();
        if (b == null) {
            return null;
        }
        try {
            ConnectionMessage m = ConnectionMessage.decode(b);
            ReferenceCountUtil.release(m);
            return m;
        } finally {
            b.release();
        }
    }

    /** The client opens a session with its channel number {@code peerId}; returns our number for it. */
    private int open(int peerId) {
        in(new ChannelOpen("session", peerId, 65536, 1024, new byte[0]));
        ConnectionMessage reply = out();
        assertThat(reply).isInstanceOf(ChannelOpenConfirmation.class);
        return ((ChannelOpenConfirmation) reply).senderChannel();
    }

    private ConnectionMessage request(int channel, String type, byte[] data) {
        in(new ChannelRequest(channel, type, true, data));
        return out();
    }

    private static byte[] strings(String... values) {
        SshWriter w = SshWriter.heap();
        for (String v : values) {
            w.writeUtf8(v);
        }
        return w.toByteArray();
    }

    @Test
    void envShouldBeAcceptedOnlyForNamesThatAcceptEnvMatches() {
        start(config());
        int id = open(5);

        assertThat(request(id, "env", strings("LC_ALL", "C"))).isEqualTo(new ChannelSuccess(5));
        assertThat(request(id, "env", strings("LANG", "C.UTF-8"))).isEqualTo(new ChannelSuccess(5));
        assertThat(request(id, "env", strings("PATH", "/evil"))).isEqualTo(new ChannelFailure(5));
        assertThat(request(id, "env", strings("LANGUAGE", "x"))).isEqualTo(new ChannelFailure(5));
    }

    @Test
    void execShouldHandTheCommandAndAcceptedEnvironmentToTheHandler() {
        start(config());
        int id = open(5);
        request(id, "env", strings("LC_X", "1"));
        request(id, "env", strings("HOME", "/elsewhere"));

        assertThat(request(id, "exec", strings("uname -a"))).as("the handler refused it")
                .isEqualTo(new ChannelFailure(5));

        assertThat(started).hasSize(1);
        SessionCommand c = started.get(0);
        assertThat(c.kind()).isEqualTo(SessionCommand.Kind.EXEC);
        assertThat(c.command()).isEqualTo("uname -a");
        assertThat(c.originalCommand()).isNull();
        assertThat(c.environment()).containsExactly(Map.entry("LC_X", "1"));
    }

    @Test
    void forceCommandShouldReplaceEveryKindOfRequestAndKeepTheOriginal() {
        start(config().withForceCommand("/usr/bin/restricted"));
        int exec = open(5);
        int shell = open(6);
        int subsystem = open(7);

        request(exec, "exec", strings("rm -rf /"));
        request(shell, "shell", new byte[0]);
        request(subsystem, "subsystem", strings("sftp"));

        assertThat(started).extracting(SessionCommand::command).containsOnly("/usr/bin/restricted");
        assertThat(started).extracting(SessionCommand::originalCommand)
                .containsExactly("rm -rf /", "", "/usr/lib/openssh/sftp-server");
    }

    /** Logs the connection in as the server's authentication would, with an authorized_keys line's options. */
    private void loginWithKeyOptions(String... options) {
        // The auth module keeps the user under this attribute; its setter is not public.
        AttributeKey<AuthenticatedUser> key = AttributeKey.valueOf(AuthenticatedUser.class, "user");
        ch.attr(key).set(new AuthenticatedUser("alice", List.of("publickey"),
                KeyRestrictions.parse(List.of(options), ZoneOffset.UTC)));
    }

    @Test
    void agentForwardingShouldBeRefusedWhenTheServerHasNoAgentForwarder() {
        start(config());
        int id = open(5);

        assertThat(request(id, AgentForwarder.REQUEST, new byte[0])).isEqualTo(new ChannelFailure(5));
        request(id, "exec", strings("ssh-add -l"));
        assertThat(started.get(0).environment()).doesNotContainKey("SSH_AUTH_SOCK");
    }

    @Test
    void grantedAgentForwardingShouldNameTheSocketInTheCommandsEnvironment() {
        List<SshChannel> asked = new ArrayList<>();
        start(config().withAcceptEnv(List.of("SSH_*")).withAgentForwarder(session -> {
            asked.add(session);
            return Optional.of("/tmp/ssh-test/agent.1");
        }));
        int id = open(5);
        request(id, "env", strings("SSH_AUTH_SOCK", "/client/choice"));

        assertThat(request(id, AgentForwarder.REQUEST, new byte[0])).isEqualTo(new ChannelSuccess(5));
        request(id, "exec", strings("ssh-add -l"));

        assertThat(asked).hasSize(1);
        assertThat(started.get(0).environment()).as("the server's socket wins over the client's env request")
                .containsEntry("SSH_AUTH_SOCK", "/tmp/ssh-test/agent.1");
    }

    @Test
    void agentForwardingShouldBeRefusedForAKeyWithNoAgentForwardingOrRestrict() {
        for (String[] options : new String[][] {{"no-agent-forwarding"}, {"restrict"}}) {
            started.clear();
            List<SshChannel> asked = new ArrayList<>();
            start(config().withAgentForwarder(session -> {
                asked.add(session);
                return Optional.of("/tmp/ssh-test/agent.1");
            }));
            loginWithKeyOptions(options);
            int id = open(5);

            assertThat(request(id, AgentForwarder.REQUEST, new byte[0])).as(options[0])
                    .isEqualTo(new ChannelFailure(5));
            assertThat(asked).isEmpty();
            ch.finishAndReleaseAll();
        }
        start(config().withAgentForwarder(session -> Optional.of("/tmp/ssh-test/agent.1")));
        loginWithKeyOptions("restrict", "agent-forwarding");
        assertThat(request(open(5), AgentForwarder.REQUEST, new byte[0])).as("restrict,agent-forwarding")
                .isEqualTo(new ChannelSuccess(5));
    }

    @Test
    void agentForwardingRequestWithDataShouldFail() {
        start(config().withAgentForwarder(session -> Optional.of("/tmp/ssh-test/agent.1")));
        int id = open(5);

        assertThat(request(id, AgentForwarder.REQUEST, new byte[] {1})).isEqualTo(new ChannelFailure(5));
    }

    @Test
    void authorizedKeysEnvironmentShouldApplyOnlyAsPermitUserEnvironmentAllows() {
        String[] options = {"environment=\"FOO=bar\"", "environment=\"LANG=key\"", "environment=\"LC_X=k\""};
        start(config());
        loginWithKeyOptions(options);
        request(open(5), "exec", strings("env"));
        assertThat(started.get(0).environment()).as("PermitUserEnvironment no").isEmpty();
        ch.finishAndReleaseAll();

        start(config().withPermitUserEnvironment(List.of("*")));
        loginWithKeyOptions(options);
        int id = open(5);
        request(id, "env", strings("LANG", "client"));
        request(id, "exec", strings("env"));
        assertThat(started.get(1).environment()).as("PermitUserEnvironment yes: the key's setting wins")
                .containsOnly(Map.entry("LANG", "key"), Map.entry("FOO", "bar"), Map.entry("LC_X", "k"));
        ch.finishAndReleaseAll();

        start(config().withPermitUserEnvironment(List.of("LC_*", "FOO", "!LC_X")));
        loginWithKeyOptions(options);
        request(open(5), "exec", strings("env"));
        assertThat(started.get(2).environment()).as("a pattern list").containsExactly(Map.entry("FOO", "bar"));
    }

    @Test
    void subsystemShouldRunItsConfiguredCommandAndUnknownOnesBeRefused() {
        start(config());
        int id = open(5);

        assertThat(request(id, "subsystem", strings("nosuch"))).isEqualTo(new ChannelFailure(5));
        assertThat(started).isEmpty();
        request(id, "subsystem", strings("sftp"));

        assertThat(started).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(SessionCommand.Kind.SUBSYSTEM);
            assertThat(c.subsystem()).isEqualTo("sftp");
            assertThat(c.command()).isEqualTo("/usr/lib/openssh/sftp-server");
        });
    }

    @Test
    void ptyReqShouldBeRefusedAsSshdRefusesWhenItCannotAllocateOne() {
        start(config());
        int id = open(5);
        byte[] pty = new PtyRequest("xterm", 80, 24, 0, 0, PtyRequest.NO_MODES).encode();

        assertThat(request(id, "pty-req", pty)).as("the default handler has no pty").isEqualTo(new ChannelFailure(5));
        assertThat(request(id, "x11-req", new byte[0])).isEqualTo(new ChannelFailure(5));
    }

    @Test
    void ptyReqShouldReachAHandlerThatSupportsPseudoTerminals() {
        CommandHandler withPty = new CommandHandler() {
            @Override
            public SessionProcess start(SessionCommand command) throws IOException {
                return recording.start(command);
            }

            @Override
            public boolean supportsPty() {
                return true;
            }
        };
        start(config().withHandler(withPty));
        int id = open(5);
        PtyRequest pty = new PtyRequest("xterm-256color", 132, 43, 0, 0, new byte[] {53, 0, 0, 0, 1, 0});

        assertThat(request(id, "pty-req", pty.encode())).isEqualTo(new ChannelSuccess(5));
        assertThat(request(id, "pty-req", pty.encode())).as("one per session").isEqualTo(new ChannelFailure(5));
        assertThat(request(id, "window-change", new byte[16])).as("nothing runs yet")
                .isEqualTo(new ChannelFailure(5));
        request(id, "shell", new byte[0]);

        assertThat(started).singleElement().satisfies(c -> assertThat(c.pty()).isEqualTo(pty));
    }

    @Test
    void malformedRequestDataShouldFailTheRequestButKeepTheChannel() {
        start(config());
        int id = open(5);

        assertThat(request(id, "exec", new byte[] {0, 0, 0, 9, 'x'})).isEqualTo(new ChannelFailure(5));
        assertThat(request(id, "exec", strings("ls", "trailing"))).isEqualTo(new ChannelFailure(5));
        assertThat(request(id, "env", strings("LC_ONLY_NAME"))).isEqualTo(new ChannelFailure(5));

        assertThat(started).isEmpty();
        assertThat(request(id, "env", strings("LC_A", "b"))).isEqualTo(new ChannelSuccess(5));
    }

    @Test
    void maxSessionsShouldRefuseOpensOverTheLimitUntilOneCloses() {
        start(config().withMaxSessions(2));
        int first = open(1);
        open(2);

        in(new ChannelOpen("session", 3, 65536, 1024, new byte[0]));
        assertThat(out()).isEqualTo(new ChannelOpenFailure(3, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
                "open failed"));

        in(new ChannelClose(first));
        assertThat(out()).isEqualTo(new ChannelClose(1));
        open(4);
    }
}
