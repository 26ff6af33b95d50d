package dev.sluice.connection;

import dev.sluice.auth.ClientAuthConfig;
import dev.sluice.auth.UserAuthClientHandler;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.connection.message.OpenFailureReason;
import dev.sluice.connection.session.AgentForwarder;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.SshKeyPair;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.HashMap;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens SSH connections: the entry point for applications that tunnel through a server and for the {@code sluice ssh}
 * command. One client owns an event loop group; each connection lives on one of its loops, with everything it forwards.
 *
 * <pre>{@code
 * try (SshClient client = new SshClient()) {
 *     SshConnection c = client.connect(SshClient.Target.of("gw.example.com", 22, "alice", List.of(key))).get();
 *     ...
 * }
 * }</pre>
 */
public final class SshClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshClient.class);
    /** ssh's message when the server closes the connection before sending its version line. */
    public static final String KEX_IDENTIFICATION_CLOSED =
            "kex_exchange_identification: Connection closed by remote host";
    private final EventLoopGroup group;
    private final boolean ownsGroup;

    /** A client with its own event loop group, one thread per core (epoll when available). */
    public SshClient() {
        this(NettyTransports.newEventLoopGroup(0, "sluice-client"), true);
    }

    /** A client on a caller-owned group, which {@link #close()} leaves running. */
    public SshClient(EventLoopGroup group) {
        this(group, false);
    }

    private SshClient(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
    }

    /**
     * Where and as whom to connect, and with which settings.
     *
     * @param bannerSink receives the server's USERAUTH_BANNER text
     * @param connectTimeoutMillis TCP connect timeout (OpenSSH's ConnectTimeout), 0 for the system's
     * @param auth methods, their order, and who answers password and keyboard-interactive prompts
     */
    public record Target(String host, int port, String user, List<SshKeyPair> identities, TransportConfig transport,
            ConnectionConfig connection, Map<String, ChannelOpenHandler> openHandlers, Consumer<String> bannerSink,
            int connectTimeoutMillis, ClientAuthConfig auth) {
        public Target {
            Objects.requireNonNull(host);
            identities = List.copyOf(identities);
            openHandlers = Map.copyOf(openHandlers);
            Objects.requireNonNull(auth);
        }

        /** Defaults for everything but the essentials. */
        public static Target of(String host, int port, String user, List<SshKeyPair> identities) {
            return new Target(host, port, user, identities, TransportConfig.defaults(), ConnectionConfig.DEFAULT,
                    Map.of(), banner -> { }, 0, ClientAuthConfig.DEFAULT);
        }

        public Target withTransport(TransportConfig config) {
            return new Target(host, port, user, identities, config, connection, openHandlers, bannerSink,
                    connectTimeoutMillis, auth);
        }

        public Target withConnection(ConnectionConfig config) {
            return new Target(host, port, user, identities, transport, config, openHandlers, bannerSink,
                    connectTimeoutMillis, auth);
        }

        public Target withBannerSink(Consumer<String> sink) {
            return new Target(host, port, user, identities, transport, connection, openHandlers, sink,
                    connectTimeoutMillis, auth);
        }

        public Target withConnectTimeoutMillis(int millis) {
            return new Target(host, port, user, identities, transport, connection, openHandlers, bannerSink, millis,
                    auth);
        }

        /** The same target with other authentication settings (password prompts, methods, BatchMode). */
        public Target withAuth(ClientAuthConfig config) {
            return new Target(host, port, user, identities, transport, connection, openHandlers, bannerSink,
                    connectTimeoutMillis, config);
        }
    }

    /**
     * Connects, exchanges keys, checks the host key and authenticates. The future succeeds with the connection once
     * authenticated; it fails with the socket's {@link java.net.ConnectException}, an
     * {@link dev.sluice.auth.AuthenticationException}, or an {@link SshDisconnectedException}.
     */
    public Future<SshConnection> connect(Target target) {
        io.netty.channel.EventLoop loop = group.next();
        Promise<SshConnection> result = loop.newPromise();
        // Resolved here so that the log can name the address, as ssh does; a name that does not resolve is left
        // to the connect, which fails with the resolver's exception.
        InetSocketAddress address = new InetSocketAddress(target.host(), target.port());
        if (!address.isUnresolved()) {
            LOG.debug("Connecting to {} [{}] port {}.", target.host(), address.getAddress().getHostAddress(),
                    target.port());
        }
        ChannelFuture connect = NettyTransports.bootstrap(loop)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, NettyTransports.SSH_WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, target.connectTimeoutMillis() > 0
                        ? target.connectTimeoutMillis() : 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch, target, result);
                    }
                })
                .connect(address.isUnresolved() ? InetSocketAddress.createUnresolved(target.host(), target.port())
                        : address);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
            } else {
                LOG.debug("Connection established.");
                LOG.debug("Authenticating to {}:{} as '{}'", target.host(), target.port(), target.user());
            }
        });
        // A connect that failed reports its own cause ("Connection refused"): epoll may close the socket first.
        failWhenClosedBeforeLogin(connect.channel(), target, result, connect);
        return result;
    }

    /**
     * Connects through {@code via}, as {@code ssh -J} does: opens a {@code direct-tcpip} channel on {@code via} to
     * the target's host and port, and runs this connection's whole transport over that channel, on {@code via}'s
     * event loop, with no local socket in between. The target's host key is checked (by the target's
     * HostKeyVerifier) under the target's own host name and port. The future fails with the
     * {@link ChannelOpenException} when the jump server refuses the channel, otherwise as {@link #connect(Target)}.
     * Closing the returned connection closes its channel on {@code via}; closing {@code via} ends both.
     */
    public Future<SshConnection> connect(Target target, SshConnection via) {
        Promise<SshConnection> result = via.eventLoop().newPromise();
        via.eventLoop().execute(() -> {
            SshTunnelChannel tunnel = new SshTunnelChannel(via, target.host(), target.port());
            // Built when the channel registers, once the carrying channel is open (the pipeline needs its loop).
            tunnel.pipeline().addLast(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    initPipeline(ch, target, result);
                }
            });
            // The originator OpenSSH's ssh -W names.
            byte[] open = new DirectTcpip(target.host(), target.port(), "127.0.0.1", 65535).encode();
            via.openChannel(DirectTcpip.CHANNEL_TYPE, open, tunnel).addListener(f -> {
                if (!f.isSuccess()) {
                    result.tryFailure(f.cause());
                }
            });
            failWhenClosedBeforeLogin(tunnel, target, result, tunnel.newSucceededFuture());
        });
        return result;
    }

    /**
     * Runs a connection over two streams instead of a socket, as ssh does over a ProxyCommand's standard output and
     * input: the target's host and port name the server for host key checking and messages only. The streams are
     * read and written on threads of their own and closed when the connection ends; the caller owns whatever
     * produces them (the process). Fails as {@link #connect(Target)} does, or with an
     * {@link SshDisconnectedException} when the streams end first.
     */
    public Future<SshConnection> connect(Target target, java.io.InputStream in, java.io.OutputStream out) {
        io.netty.channel.EventLoop loop = group.next();
        Promise<SshConnection> result = loop.newPromise();
        StreamChannel channel = new StreamChannel(in, out, target.host(), target.port());
        channel.pipeline().addLast(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                initPipeline(ch, target, result);
            }
        });
        loop.register(channel).addListener(f -> {
            if (f.isSuccess()) {
                channel.startReading();
            } else {
                result.tryFailure(f.cause());
            }
        });
        failWhenClosedBeforeLogin(channel, target, result, channel.newSucceededFuture());
        return result;
    }

    /**
     * Fails {@code result} with the transport's reason (or "Connection closed by HOST port PORT") when {@code ch}
     * closes before the login completed, provided {@code established} succeeded: otherwise its own failure says why.
     */
    private static void failWhenClosedBeforeLogin(Channel ch, Target target, Promise<SshConnection> result,
            Future<?> established) {
        ch.closeFuture().addListener(f -> {
            // Done is the usual case: an exception with a stack trace per connection would be wasted work.
            if (result.isDone() || !established.isSuccess()) {
                return;
            }
            TransportSession session = TransportSession.of(ch);
            TransportClosed closed = session.closed().orElse(null);
            // OpenSSH's words when the peer went away before its version line.
            String why = session.peerVersion() == null ? KEX_IDENTIFICATION_CLOSED
                    : "Connection closed by " + target.host() + " port " + target.port();
            result.tryFailure(new SshDisconnectedException(closed != null ? closed.message() : why, closed));
        });
    }

    private static void initPipeline(Channel ch, Target target, Promise<SshConnection> result) {
        TransportSession session = TransportPipeline.install(ch.pipeline(), Role.CLIENT, target.transport());
        session.peer(target.host(), target.port());
        Promise<Void> auth = ch.eventLoop().newPromise();
        Map<String, ChannelOpenHandler> openHandlers = new HashMap<>(target.openHandlers());
        openHandlers.putIfAbsent(AgentForwarder.CHANNEL_TYPE, SshClient::refuseAgent);
        ConnectionHandler connection = new ConnectionHandler(target.connection(), openHandlers);
        ch.pipeline().addLast("auth", new UserAuthClientHandler(session, target.user(), target.identities(),
                target.auth(), target.bannerSink(), auth));
        ch.pipeline().addLast("connection", connection);
        ch.pipeline().addLast("disconnect-on-error", TransportPipeline.newDisconnectOnErrorHandler(session));
        auth.addListener(f -> {
            if (f.isSuccess()) {
                connection.authenticated(target.user());
                KeepAliveHandler.installIfEnabled(ch, connection.connection(), target.connection());
                result.trySuccess(connection.connection());
            } else {
                TransportClosed closed = session.closed().orElse(null);
                result.tryFailure(closed != null ? new SshDisconnectedException(closed.message(), closed) : f.cause());
            }
        });
    }

    /**
     * An agent channel the client did not ask for (no agent forwarding requested): refused, with ssh's warning and
     * its answer, ADMINISTRATIVELY_PROHIBITED "open failed".
     */
    private static void refuseAgent(ChannelOpenRequest request) {
        LOG.error("Warning: ssh server tried agent forwarding.");
        LOG.error("Warning: this is probably a break-in attempt by a malicious server.");
        request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
    }

    /** The group the connections run on. */
    public EventLoopGroup group() {
        return group;
    }

    /** Shuts down the event loops if this client created them; open connections close with them. */
    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
