package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.session.AgentForwarder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AgentForwarding#server}: one listening socket per SSH connection, made on the first granted request, in a
 * directory made like sshd's {@code mkdtemp("/tmp/ssh-XXXXXXXXXX")} (mode 0700), named {@code agent.PID}. Each
 * accepted connection opens an {@code auth-agent@openssh.com} channel to the client and is bridged to it; a refused
 * channel closes the connection. The socket, then its directory, are removed when the SSH connection closes.
 *
 * <p>The listener is registered and bound inline on the connection's loop, so the socket accepts connections before
 * the session's command can start.
 */
final class ServerAgentForwarder implements AgentForwarder {
    private static final Logger log = LoggerFactory.getLogger(ServerAgentForwarder.class);
    private static final AttributeKey<String> SOCKET = AttributeKey.valueOf(ServerAgentForwarder.class, "socket");
    private static final String NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Predicate<SshConnection> allowed;
    private final Path tmp;

    ServerAgentForwarder(Predicate<SshConnection> allowed) {
        this(allowed, Path.of("/tmp"));
    }

    /** With the private directories made under {@code tmp} instead of /tmp (for tests). */
    ServerAgentForwarder(Predicate<SshConnection> allowed, Path tmp) {
        this.allowed = allowed;
        this.tmp = tmp;
    }

    @Override
    public Optional<String> listen(SshChannel session) {
        SshConnection connection = session.connection();
        if (!allowed.test(connection)) {
            log.debug("session_auth_agent_req: agent forwarding disabled");
            return Optional.empty();
        }
        String existing = connection.parent().attr(SOCKET).get();
        if (existing != null) {
            return Optional.of(existing);
        }
        EventLoop loop = connection.eventLoop();
        if (!NettyTransports.supportsDomainSockets(loop)) {
            log.info("Agent forwarding disabled: Unix-domain sockets need Netty's native epoll transport");
            return Optional.empty();
        }
        Path dir;
        try {
            dir = privateDirectory();
        } catch (IOException e) {
            log.error("Agent forwarding disabled: mkdtemp() failed: {}", e.toString());
            return Optional.empty();
        }
        Path socket = dir.resolve("agent." + ProcessHandle.current().pid());
        // Registration and bind complete inline on the loop: the socket exists when this returns.
        ChannelFuture registered = NettyTransports.domainServerBootstrap(loop)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new Acceptor(connection))
                .register();
        ChannelFuture bound = registered.isSuccess()
                ? registered.channel().bind(NettyTransports.domainSocketAddress(socket.toString())) : registered;
        if (!bound.isDone() || !bound.isSuccess()) {
            log.error("Agent forwarding disabled: cannot listen on {}: {}", socket,
                    bound.isDone() ? bound.cause().toString() : "bind not complete");
            registered.channel().close();
            remove(socket, dir);
            return Optional.empty();
        }
        Channel listener = bound.channel();
        connection.parent().attr(SOCKET).set(socket.toString());
        connection.closeFuture().addListener(f -> listener.close().addListener(c -> remove(socket, dir)));
        log.debug("agent forwarding for {} on {}", connection.user(), socket);
        return Optional.of(socket.toString());
    }

    /** A new directory {@code ssh-} plus ten random characters under {@link #tmp}, mode 0700. */
    private Path privateDirectory() throws IOException {
        for (int attempt = 0; ; attempt++) {
            StringBuilder name = new StringBuilder("ssh-");
            for (int i = 0; i < 10; i++) {
                name.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
            }
            try {
                return Files.createDirectory(tmp.resolve(name.toString()),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    private static void remove(Path socket, Path dir) {
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("cannot remove agent socket {}: {}", socket, e.toString());
        }
    }

    /** Opens an agent channel to the client for each connection to the socket, which reads nothing until then. */
    private static final class Acceptor extends ChannelInitializer<Channel> {
        private final SshConnection connection;

        Acceptor(SshConnection connection) {
            this.connection = connection;
        }

        @Override
        protected void initChannel(Channel socket) {
            SocketChannelBridge bridge = new SocketChannelBridge();
            socket.pipeline().addLast("bridge", bridge);
            connection.openChannel(AgentForwarder.CHANNEL_TYPE, new byte[0], bridge).addListener(f -> {
                if (!f.isSuccess()) {
                    if (f.cause() instanceof ChannelOpenException e) {
                        log.info("channel {}: open failed: {}", e.localId(), e.getMessage());
                    } else {
                        log.debug("agent channel failed: {}", f.cause().toString());
                    }
                    socket.close();
                }
            });
        }
    }
}
