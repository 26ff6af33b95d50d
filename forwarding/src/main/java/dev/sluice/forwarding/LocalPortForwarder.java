package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of {@code ssh -L}: listens on a local port and opens one {@code direct-tcpip} channel per accepted
 * connection, then bridges the two (see {@link SocketChannelBridge}).
 *
 * <p>The listening socket and every accepted socket live on the SSH connection's event loop, so forwarding never
 * changes threads. The listeners close when the connection closes. A refused channel closes its socket and is
 * logged as OpenSSH does ("channel 2: open failed: connect failed: Connection refused"); the listener stays.
 *
 * <p>{@link #start()} and {@link #close()} may be called from any thread.
 */
public final class LocalPortForwarder {
    private static final Logger log = LoggerFactory.getLogger(LocalPortForwarder.class);

    private final SshConnection connection;
    private final LocalForward forward;
    private final boolean gatewayPorts;
    private final List<Channel> listeners = new ArrayList<>(2);
    private volatile List<InetSocketAddress> bound = List.of();
    /** ssh's line for the last failed bind, "bind [ADDR]:PORT: strerror", attached to a failed start. */
    private String lastBindFailure;

    /**
     * @param connection the SSH connection to forward through
     * @param forward what to listen on and where the server should connect
     * @param gatewayPorts ssh_config's GatewayPorts: whether a forward without bind address listens on all
     *        interfaces instead of loopback only
     */
    public LocalPortForwarder(SshConnection connection, LocalForward forward, boolean gatewayPorts) {
        this.connection = connection;
        this.forward = forward;
        this.gatewayPorts = gatewayPorts;
    }

    /**
     * Binds the listening socket(s). The future holds the first bound address (with the real port when the forward
     * asked for port 0) and fails if no address could be bound.
     */
    public Future<InetSocketAddress> start() {
        EventLoop loop = connection.eventLoop();
        Promise<InetSocketAddress> result = loop.newPromise();
        List<InetSocketAddress> addresses;
        try {
            addresses = bindAddresses(forward, gatewayPorts);
        } catch (UnknownHostException e) {
            result.setFailure(e);
            return result;
        }
        loop.execute(() -> bindNext(addresses, 0, forward.bindPort(), result));
        return result;
    }

    /** The addresses listened on, once {@link #start()} completed. */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
    }

    public LocalForward forward() {
        return forward;
    }

    /** Stops listening; forwarded connections already open continue until they end. */
    public Future<Void> close() {
        EventLoop loop = connection.eventLoop();
        Promise<Void> done = loop.newPromise();
        loop.execute(() -> {
            for (Channel c : listeners) {
                c.close();
            }
            listeners.clear();
            done.setSuccess(null);
        });
        return done;
    }

    /**
     * Where ssh(1) listens for a forward ({@code channel_fwd_bind_addr} for a client): without bind address,
     * loopback, or every interface with GatewayPorts; {@code ""} or {@code *}, every interface; {@code localhost},
     * the loopback addresses of both families; anything else, what it resolves to.
     */
    static List<InetSocketAddress> bindAddresses(LocalForward f, boolean gatewayPorts) throws UnknownHostException {
        String addr = f.bindAddress();
        if (addr == null) {
            addr = gatewayPorts ? "*" : "localhost";
        }
        if (addr.isEmpty() || addr.equals("*")) {
            return List.of(new InetSocketAddress(f.bindPort())); // the dual-stack wildcard
        }
        List<InetSocketAddress> out = new ArrayList<>();
        InetAddress[] all = addr.equals("localhost")
                ? new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")}
                : InetAddress.getAllByName(addr);
        for (InetAddress a : all) {
            out.add(new InetSocketAddress(a, f.bindPort()));
        }
        return out;
    }

    /** Binds the addresses one by one; with port 0 the later ones reuse the port the first one got, as ssh does. */
    private void bindNext(List<InetSocketAddress> addresses, int i, int port, Promise<InetSocketAddress> result) {
        if (i == addresses.size()) {
            bound = List.copyOf(bound);
            if (listeners.isEmpty()) {
                BindException e = new BindException("cannot listen to port: " + forward.bindPort());
                if (lastBindFailure != null) {
                    e.addSuppressed(new BindException(lastBindFailure));
                }
                result.tryFailure(e);
            } else {
                result.trySuccess(bound.get(0));
            }
            return;
        }
        InetSocketAddress want = new InetSocketAddress(addresses.get(i).getAddress(), port);
        NettyTransports.serverBootstrap(connection.eventLoop())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .childHandler(new Acceptor())
                .bind(want).addListener((ChannelFutureListener) f -> {
                    int nextPort = port;
                    if (f.isSuccess()) {
                        if (!connection.parent().isActive()) {
                            f.channel().close();
                        } else {
                            listeners.add(f.channel());
                            connection.closeFuture().addListener(c -> f.channel().close());
                            InetSocketAddress got = (InetSocketAddress) f.channel().localAddress();
                            List<InetSocketAddress> b = new ArrayList<>(bound);
                            b.add(got);
                            bound = b;
                            nextPort = got.getPort();
                            log.debug("Local forwarding listening on {} port {}.", got.getAddress().getHostAddress(),
                                    got.getPort());
                        }
                    } else {
                        String why = String.valueOf(f.cause().getMessage());
                        // Native epoll says "bind(..) failed with error(-98): Address already in use".
                        why = why.substring(why.lastIndexOf("): ") < 0 ? 0 : why.lastIndexOf("): ") + 3);
                        lastBindFailure = "bind [" + NetUtil.toAddressString(want.getAddress()) + "]:" + port + ": "
                                + why;
                        log.warn(lastBindFailure);
                    }
                    bindNext(addresses, i + 1, nextPort, result);
                });
    }

    /** Opens a channel for each accepted socket; the socket reads nothing until the channel is open. */
    private final class Acceptor extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel socket) {
            SocketChannelBridge bridge = new SocketChannelBridge();
            socket.pipeline().addLast("bridge", bridge);
            InetSocketAddress from = (InetSocketAddress) socket.remoteAddress();
            byte[] open = new DirectTcpip(forward.host(), forward.hostPort(), from.getAddress().getHostAddress(),
                    from.getPort()).encode();
            connection.openChannel(DirectTcpip.CHANNEL_TYPE, open, bridge).addListener(f -> {
                if (!f.isSuccess()) {
                    Throwable cause = f.cause();
                    if (cause instanceof ChannelOpenException e) {
                        log.info("channel {}: open failed: {}", e.localId(), e.getMessage());
                    } else {
                        log.info("direct-tcpip channel for {} failed: {}", from, cause.toString());
                    }
                    socket.close();
                } else if (log.isDebugEnabled()) {
                    SshChannel ch = (SshChannel) f.getNow();
                    log.debug("channel {}: connection from {} port {} forwarded to {} port {}", ch.localId(),
                            from.getAddress().getHostAddress(), from.getPort(), forward.host(), forward.hostPort());
                }
            });
        }
    }

    @Override
    public String toString() {
        return "LocalPortForwarder[" + forward.toSpec() + "]";
    }
}
