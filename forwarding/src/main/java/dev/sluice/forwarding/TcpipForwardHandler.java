package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.InboundGlobalRequest;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.connection.message.TcpipForward;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of remote forwarding (RFC 4254 section 7.1, the client's {@code ssh -R}): {@code tcpip-forward}
 * checks the {@link ForwardingPolicy} for the connection's {@link ForwardingUser}, binds where GatewayPorts says on
 * the connection's own event loop, answers the allocated port when the client asked for port 0, and opens a
 * {@code forwarded-tcpip} channel for every accepted connection, bridged by {@link SocketChannelBridge};
 * {@code cancel-tcpip-forward} closes the listeners again. The listeners close when the SSH connection ends;
 * connections already forwarded continue until they end.
 *
 * <p>A refusal is REQUEST_FAILURE (ssh prints "remote port forwarding failed for listen port N"), logged with sshd's
 * line followed by the user, the client's address and the rule that refused. Register it with {@link #handlers()}
 * on a server's {@code ConnectionHandler}. Stateless: one instance serves every connection.
 */
public final class TcpipForwardHandler implements GlobalRequestHandler {
    /** The channel type of the connections the server forwards back. */
    public static final String FORWARDED_TCPIP = "forwarded-tcpip";
    private static final Logger log = LoggerFactory.getLogger(TcpipForwardHandler.class);

    /** The policy for a connection: the same for all, or one per connection (sshd_config Match blocks). */
    private final Function<SshConnection, ForwardingPolicy> policies;

    public TcpipForwardHandler(ForwardingPolicy policy) {
        this(connection -> policy);
    }

    /** A handler whose policy depends on the connection (its user, address, local port), asked at each request. */
    public TcpipForwardHandler(Function<SshConnection, ForwardingPolicy> policies) {
        this.policies = policies;
    }

    /** This handler under both request names, for {@code SshServer.Config.globalRequestHandlers}. */
    public Map<String, GlobalRequestHandler> handlers() {
        return Map.of(TcpipForward.REQUEST, this, TcpipForward.CANCEL, this);
    }

    @Override
    public void onRequest(InboundGlobalRequest request) {
        TcpipForward f = TcpipForward.decode(request.requestData()); // malformed: PROTOCOL_ERROR
        if (request.requestName().equals(TcpipForward.CANCEL)) {
            cancel(request, f);
        } else {
            forward(request, f);
        }
    }

    private void cancel(InboundGlobalRequest request, TcpipForward f) {
        boolean found = ServerForwards.of(request.connection()).cancel(new ServerForwards.Key(f.address(), f.port()));
        log.debug("cancel-tcpip-forward addr {} port {}: {}", f.address(), Integer.toUnsignedLong(f.port()),
                found ? "cancelled" : "no such forwarding");
        if (found) {
            request.succeed(new byte[0]);
        } else {
            request.fail();
        }
    }

    private void forward(InboundGlobalRequest request, TcpipForward f) {
        SshConnection connection = request.connection();
        ForwardingUser user = ForwardingUser.of(connection);
        ForwardingPolicy policy = policies.apply(connection);
        String from = ServerForwards.peer(connection);
        long port = Integer.toUnsignedLong(f.port());
        if (port > 65535) {
            log.info("refused remote port forward: listen host {} port {} (user {} from {}: bad port)", f.address(),
                    port, user.name(), from);
            request.fail();
            return;
        }
        Optional<String> refusal = policy.remoteForwardingRefusal(user, f.port(), request.wantReply());
        if (refusal.isPresent()) {
            log.info("refused remote port forward: listen host {} port {} (user {} from {}: {})", f.address(), port,
                    user.name(), from, refusal.get());
            request.fail();
            return;
        }
        refusal = policy.permitListenRefusal(user, f.address(), f.port());
        if (refusal.isPresent()) {
            log.info("Received request from {} to remote forward to host {} port {}, but the request was denied."
                    + " (user {}: {})", from, f.address(), port, user.name(), refusal.get());
            request.fail();
            return;
        }
        GatewayPorts.Bind bind = policy.gatewayPorts().bindFor(f.address());
        if (bind == GatewayPorts.Bind.WILDCARD) {
            bind(request, f, TcpListeners.wildcard());
        } else if (bind == GatewayPorts.Bind.LOOPBACK) {
            bind(request, f, TcpListeners.loopback());
        } else if (NetUtil.isValidIpV4Address(f.address()) || NetUtil.isValidIpV6Address(f.address())) {
            bind(request, f, List.of(NetUtil.createInetAddressFromIpAddressString(f.address())));
        } else {
            // A name (GatewayPorts clientspecified): resolve off the event loop, then bind on it.
            GlobalEventExecutor.INSTANCE.submit(() -> List.of(InetAddress.getAllByName(f.address())))
                    .addListener(r -> connection.eventLoop().execute(() -> {
                        if (r.isSuccess()) {
                            @SuppressWarnings("unchecked")
                            List<InetAddress> resolved = (List<InetAddress>) r.getNow();
                            bind(request, f, resolved);
                        } else {
                            log.info("tcpip-forward: cannot resolve {}: {}", f.address(), r.cause().toString());
                            request.fail();
                        }
                    }));
        }
    }

    private void bind(InboundGlobalRequest request, TcpipForward f, List<InetAddress> addresses) {
        SshConnection connection = request.connection();
        TcpListeners.bind(connection.eventLoop(), addresses, f.port(), new Acceptor(connection, f.address()))
                .addListener(b -> {
                    if (!b.isSuccess()) {
                        log.info("tcpip-forward listen {} port {}: {}", f.address(), f.port(), b.cause().getMessage());
                        request.fail();
                        return;
                    }
                    @SuppressWarnings("unchecked")
                    List<Channel> bound = (List<Channel>) b.getNow();
                    int actual = ((InetSocketAddress) bound.get(0).localAddress()).getPort();
                    if (!connection.parent().isActive()
                            || !ServerForwards.of(connection).add(new ServerForwards.Key(f.address(), actual), bound)) {
                        bound.forEach(Channel::close);
                        request.fail();
                        return;
                    }
                    log.debug("tcpip-forward listen {} port {}: listening on port {} for {}", f.address(),
                            f.port(), actual, connection.user());
                    request.succeed(f.port() == 0 ? TcpipForward.encodePort(actual) : new byte[0]);
                });
    }

    /** Opens a {@code forwarded-tcpip} channel for each accepted socket; the socket reads nothing until it is open. */
    private static final class Acceptor extends ChannelInitializer<Channel> {
        private final SshConnection connection;
        private final String requestedAddress;

        Acceptor(SshConnection connection, String requestedAddress) {
            this.connection = connection;
            this.requestedAddress = requestedAddress;
        }

        @Override
        protected void initChannel(Channel socket) {
            SocketChannelBridge bridge = new SocketChannelBridge();
            socket.pipeline().addLast("bridge", bridge);
            InetSocketAddress from = (InetSocketAddress) socket.remoteAddress();
            int listenPort = ((InetSocketAddress) socket.localAddress()).getPort();
            // As sshd: the address as the client asked for it, so that the client can match its forwarding.
            byte[] open = new DirectTcpip(requestedAddress, listenPort, from.getAddress().getHostAddress(),
                    from.getPort()).encode();
            connection.openChannel(FORWARDED_TCPIP, open, bridge).addListener(f -> {
                if (!f.isSuccess()) {
                    Throwable cause = f.cause();
                    if (cause instanceof ChannelOpenException e) {
                        log.info("channel {}: open failed: {}", e.localId(), e.getMessage());
                    } else {
                        log.info("forwarded-tcpip channel for {} failed: {}", from, cause.toString());
                    }
                    socket.close();
                } else if (log.isDebugEnabled()) {
                    log.debug("channel {}: connection from {} port {} forwarded to the client",
                            ((SshChannel) f.getNow()).localId(), from.getAddress().getHostAddress(), from.getPort());
                }
            });
        }
    }
}
