package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.session.ClientSession;
import dev.sluice.connection.session.CommandHandler;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.connection.session.SessionOpenHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent forwarding between a Sluice client and server on real sockets: the server's socket in a private directory,
 * named in the command's SSH_AUTH_SOCK, carried over an {@code auth-agent@openssh.com} channel to the client's agent
 * socket, refused by policy, and removed with the connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class AgentForwardingTest {
    @TempDir
    Path dir;
    private SshPair pair;
    /** SSH_AUTH_SOCK as each started command saw it ("" when unset). */
    private final LinkedBlockingQueue<String> authSockets = new LinkedBlockingQueue<>();

    /** Records the command's SSH_AUTH_SOCK and runs nothing. */
    private final CommandHandler recording = command -> {
        authSockets.add(command.environment().getOrDefault("SSH_AUTH_SOCK", ""));
        throw new IOException("not running anything in a unit test");
    };

    private void start(Predicate<dev.sluice.connection.SshConnection> allowed) throws InterruptedException {
        assertThat(NettyTransports.nativeAvailable()).as("agent forwarding needs the native epoll transport").isTrue();
        SessionConfig sessions = SessionConfig.defaults().withHandler(recording)
                .withAgentForwarder(new ServerAgentForwarder(allowed, dir));
        pair = SshPair.start(ConnectionConfig.DEFAULT,
                Map.of(SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(sessions)));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pair != null) {
            assertThat(pair.errors).isEmpty();
            pair.close();
        }
    }

    /** A stand-in agent: answers each connection's one message with "agent saw: " and the message. */
    private static CompletableFuture<Void> fakeAgent(ServerSocketChannel agent) {
        return CompletableFuture.runAsync(() -> {
            try (SocketChannel c = agent.accept()) {
                ByteBuffer in = ByteBuffer.allocate(64);
                while (c.read(in) > 0 && in.get(in.position() - 1) != '\n') {
                    // until the end of the line
                }
                in.flip();
                c.write(ByteBuffer.wrap("agent saw: ".getBytes(StandardCharsets.UTF_8)));
                c.write(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** What a command on the server would do: connects to SSH_AUTH_SOCK, sends a line, reads to the end. */
    private static String askAgent(String socket, String line) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(64);
            while (c.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private ClientSession openSession() throws Exception {
        return ClientSession.open(pair.client(), null, new ByteArrayOutputStream(), new ByteArrayOutputStream())
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void aCommandShouldReachTheClientsAgentThroughItsAuthSock() throws Exception {
        start(c -> true);
        Path agentPath = dir.resolve("client-agent.sock");
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(agentPath));
            CompletableFuture<Void> served = fakeAgent(agent);
            ClientSession session = openSession();

            AgentForwarding.request(session, agentPath).get(5, TimeUnit.SECONDS);
            session.exec("ssh-add -l").get(5, TimeUnit.SECONDS);
            String socket = authSockets.poll(5, TimeUnit.SECONDS);

            Path socketPath = Path.of(socket);
            assertThat(socketPath.getFileName().toString()).isEqualTo("agent." + ProcessHandle.current().pid());
            assertThat(socketPath.getParent().getFileName().toString()).matches("ssh-[A-Za-z0-9]{10}");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socketPath.getParent())))
                    .isEqualTo("rwx------");
            assertThat(askAgent(socket, "list keys\n")).isEqualTo("agent saw: list keys\n");
            served.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondSessionShouldShareTheConnectionsSocket() throws Exception {
        start(c -> true);
        Path agentPath = dir.resolve("client-agent.sock");
        ClientSession first = openSession();
        ClientSession second = openSession();

        AgentForwarding.request(first, agentPath).get(5, TimeUnit.SECONDS);
        first.exec("true").get(5, TimeUnit.SECONDS);
        AgentForwarding.request(second, agentPath).get(5, TimeUnit.SECONDS);
        second.exec("true").get(5, TimeUnit.SECONDS);

        String socket = authSockets.poll(5, TimeUnit.SECONDS);
        assertThat(socket).isNotEmpty();
        assertThat(authSockets.poll(5, TimeUnit.SECONDS)).isEqualTo(socket);
    }

    @Test
    void aSessionWithoutTheRequestShouldHaveNoAuthSock() throws Exception {
        start(c -> true);
        openSession().exec("true").get(5, TimeUnit.SECONDS);

        assertThat(authSockets.poll(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aServerThatDisallowsItShouldMakeNoSocket() throws Exception {
        start(c -> false);
        ClientSession session = openSession();

        AgentForwarding.request(session, dir.resolve("client-agent.sock")).get(5, TimeUnit.SECONDS);
        session.exec("true").get(5, TimeUnit.SECONDS);

        assertThat(authSockets.poll(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void theSocketAndItsDirectoryShouldBeRemovedWhenTheConnectionCloses() throws Exception {
        start(c -> true);
        ClientSession session = openSession();
        AgentForwarding.request(session, dir.resolve("client-agent.sock")).get(5, TimeUnit.SECONDS);
        session.exec("true").get(5, TimeUnit.SECONDS);
        Path socket = Path.of(authSockets.poll(5, TimeUnit.SECONDS));
        assertThat(socket).exists();

        pair.closeConnection();

        for (int i = 0; i < 200 && Files.exists(socket.getParent()); i++) {
            Thread.sleep(10);
        }
        assertThat(socket.getParent()).doesNotExist();
    }

    @Test
    void anAgentThatCannotBeReachedShouldCloseTheForwardedConnection() throws Exception {
        start(c -> true);
        ClientSession session = openSession();
        AgentForwarding.request(session, dir.resolve("no-agent-here.sock")).get(5, TimeUnit.SECONDS);
        session.exec("true").get(5, TimeUnit.SECONDS);

        // Nothing written, so the close is a plain end of stream rather than a reset.
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(authSockets.poll(5, TimeUnit.SECONDS)))) {
            assertThat(c.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        }
    }
}
