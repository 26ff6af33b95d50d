package dev.sluice.connection;

import dev.sluice.auth.AuthenticatedUser;
import dev.sluice.auth.PublicKeyAuthenticator;
import dev.sluice.auth.ServerAuthConfig;
import dev.sluice.auth.UserAuthPolicy;
import dev.sluice.auth.UserAuthServerHandler;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SSH server: listens, runs the transport and authentication for each client, then serves the connection protocol
 * with the channel types its configuration allows. The entry point for embedding a server and for
 * {@code sluice server}. One acceptor thread; connections spread over the worker loops, each confined to one.
 */
public final class SshServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshServer.class);

    /**
     * What the server offers.
     *
     * @param bind the address and port to listen on (port 0 picks a free one)
     * @param transport algorithms and host keys (at least one)
     * @param authenticator who may log in with which key
     * @param maxAuthTries sshd's MaxAuthTries
     * @param loginGraceSeconds sshd's LoginGraceTime (0: none)
     * @param connection windows, packet size, channel limit, and ClientAliveInterval/ClientAliveCountMax
     * @param openHandlers the channel types clients may open, by type (e.g. direct-tcpip)
     * @param auth password, keyboard-interactive, AuthenticationMethods, banner (publickey is {@code authenticator},
     *     null to turn it off)
     * @param maxStartups sshd's MaxStartups, the limit on connections waiting to authenticate
     * @param globalRequestHandlers the global requests clients may make, by name (e.g. tcpip-forward)
     * @param userAuthPolicy replaces {@code authenticator}, {@code auth} and {@code maxAuthTries} per user once the
     *     client names one (sshd's Match blocks); null to use them for everyone
     * @param keepAlivePolicy the keepalive settings (ClientAliveInterval/CountMax) of a connection once it is
     *     authenticated, from its socket (sshd's Match blocks); null to use {@code connection}'s for everyone
     */
    public record Config(InetSocketAddress bind, TransportConfig transport, PublicKeyAuthenticator authenticator,
            int maxAuthTries, int loginGraceSeconds, ConnectionConfig connection,
            Map<String, ChannelOpenHandler> openHandlers, ServerAuthConfig auth, MaxStartups maxStartups,
            Map<String, GlobalRequestHandler> globalRequestHandlers, UserAuthPolicy userAuthPolicy,
            Function<Channel, ConnectionConfig> keepAlivePolicy) {
        public Config {
            Objects.requireNonNull(bind);
            if (transport.hostKeys().isEmpty()) {
                throw new IllegalArgumentException("a server needs at least one host key");
            }
            openHandlers = Map.copyOf(openHandlers);
            auth.requireSatisfiable(authenticator != null);
            Objects.requireNonNull(maxStartups);
            globalRequestHandlers = Map.copyOf(globalRequestHandlers);
        }

        /** The same authentication settings for every user. */
        public Config(InetSocketAddress bind, TransportConfig transport, PublicKeyAuthenticator authenticator,
                int maxAuthTries, int loginGraceSeconds, ConnectionConfig connection,
                Map<String, ChannelOpenHandler> openHandlers, ServerAuthConfig auth, MaxStartups maxStartups,
                Map<String, GlobalRequestHandler> globalRequestHandlers) {
            this(bind, transport, authenticator, maxAuthTries, loginGraceSeconds, connection, openHandlers, auth,
                    maxStartups, globalRequestHandlers, null, null);
        }

        /** publickey only, sshd's default MaxStartups, no global requests. */
        public Config(InetSocketAddress bind, TransportConfig transport, PublicKeyAuthenticator authenticator,
                int maxAuthTries, int loginGraceSeconds, ConnectionConfig connection,
                Map<String, ChannelOpenHandler> openHandlers) {
            this(bind, transport, authenticator, maxAuthTries, loginGraceSeconds, connection, openHandlers,
                    ServerAuthConfig.PUBLICKEY_ONLY, MaxStartups.DEFAULT);
        }

        /** A server that serves no global requests. */
        public Config(InetSocketAddress bind, TransportConfig transport, PublicKeyAuthenticator authenticator,
                int maxAuthTries, int loginGraceSeconds, ConnectionConfig connection,
                Map<String, ChannelOpenHandler> openHandlers, ServerAuthConfig auth, MaxStartups maxStartups) {
            this(bind, transport, authenticator, maxAuthTries, loginGraceSeconds, connection, openHandlers, auth,
                    maxStartups, Map.of());
        }

        /** The same settings, serving these global requests (e.g. {@code tcpip-forward}). */
        public Config withGlobalRequestHandlers(Map<String, GlobalRequestHandler> handlers) {
            return new Config(bind, transport, authenticator, maxAuthTries, loginGraceSeconds, connection,
                    openHandlers, auth, maxStartups, handlers, userAuthPolicy, keepAlivePolicy);
        }

        /** The same settings, with the authentication settings chosen per user by {@code policy}. */
        public Config withUserAuthPolicy(UserAuthPolicy policy) {
            return new Config(bind, transport, authenticator, maxAuthTries, loginGraceSeconds, connection,
                    openHandlers, auth, maxStartups, globalRequestHandlers, policy, keepAlivePolicy);
        }

        /** The same settings, with each authenticated connection's keepalives chosen by {@code policy}. */
        public Config withKeepAlivePolicy(Function<Channel, ConnectionConfig> policy) {
            return new Config(bind, transport, authenticator, maxAuthTries, loginGraceSeconds, connection,
                    openHandlers, auth, maxStartups, globalRequestHandlers, userAuthPolicy, policy);
        }
    }

    private final Config config;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Startups startups;
    private Channel listener;

    public SshServer(Config config) {
        this.config = config;
        this.acceptor = NettyTransports.newEventLoopGroup(1, "sluice-accept");
        this.workers = NettyTransports.newEventLoopGroup(0, "sluice-server");
        this.startups = new Startups(config.maxStartups());
    }

    /** Binds the listening socket; returns the address actually bound (with the real port when 0 was asked). */
    public InetSocketAddress start() throws InterruptedException {
        listener = NettyTransports.serverBootstrap(acceptor, workers)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, NettyTransports.SSH_WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch);
                    }
                })
                .bind(config.bind()).sync().channel();
        return localAddress();
    }

    private void initPipeline(SocketChannel ch) {
        if (!startups.admit(ch)) {
            ch.close();
            return;
        }
        TransportSession session = TransportPipeline.install(ch.pipeline(), Role.SERVER, config.transport());
        InetSocketAddress peer = ch.remoteAddress();
        session.peer(peer.getAddress().getHostAddress(), peer.getPort());
        Promise<AuthenticatedUser> user = ch.eventLoop().newPromise();
        user.addListener(f -> startups.authenticated(ch));
        ch.pipeline().addLast("auth", new UserAuthServerHandler(session, config.authenticator(), config.auth(),
                config.maxAuthTries(), config.loginGraceSeconds(), user, config.userAuthPolicy()));
        ConnectionHandler connection = new ConnectionHandler(config.connection(), config.openHandlers(),
                config.globalRequestHandlers());
        user.addListener(f -> {
            if (f.isSuccess()) {
                connection.authenticated(((AuthenticatedUser) f.getNow()).user());
                KeepAliveHandler.installIfEnabled(ch, connection.connection(), config.keepAlivePolicy() == null
                        ? config.connection() : config.keepAlivePolicy().apply(ch));
            }
        });
        ch.pipeline().addLast("connection", connection);
        ch.pipeline().addLast("disconnect-on-error", TransportPipeline.newDisconnectOnErrorHandler(session));
        LOG.debug("Connection from {} port {}", session.peerHost(), session.peerPort());
        ch.closeFuture().addListener(f -> startups.authenticated(ch));
        ch.closeFuture().addListener(f -> {
            if (session.closed().map(c -> !c.local()).orElse(true)) {
                LOG.info("{}", closedLine(session, user.isSuccess() ? user.getNow().user() : null,
                        UserAuthServerHandler.requestedUser(ch)));
            }
        });
    }

    /**
     * sshd's line for a connection the client ended: "Disconnected from" after its DISCONNECT, "Connection closed by"
     * when the socket just closed, naming the user as sshd's remote id does ("user alice", "authenticating user
     * alice", or only the address before a user was named). A connection the server ended has its own line.
     */
    static String closedLine(TransportSession session, String authenticated, String requested) {
        String who = authenticated != null ? "user " + authenticated + " "
                : requested != null ? "authenticating user " + requested + " " : "";
        String start = session.closed().isPresent() ? "Disconnected from " : "Connection closed by ";
        return start + who + session.peerHost() + " port " + session.peerPort()
                + (authenticated != null ? "" : " [preauth]");
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
