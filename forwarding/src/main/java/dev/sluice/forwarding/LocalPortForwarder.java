package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectStreamLocal;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of {@code ssh -L}: listens on a local port (or Unix-domain socket) and opens one
 * {@code direct-tcpip} channel (or {@code direct-streamlocal@openssh.com}, for a socket path on the server) per
 * accepted connection, then bridges the two (see {@link SocketChannelBridge}).
 *
 * <p>The listening socket and every accepted socket live on the SSH connection's event loop, so forwarding never
 * changes threads. The listeners close when the connection closes. A refused channel closes its socket and is
 * logged as OpenSSH does ("channel 2: open failed: connect failed: Connection refused"); the listener stays.
 *
 * <p>{@link #start()} and {@link #close()} may be called from any thread.
 */
public final class LocalPortForwarder {
    /** ssh_config's default StreamLocalBindMask: the socket is accessible to its owner only. */
    public static final int DEFAULT_STREAM_LOCAL_BIND_MASK = 0177;

    private static final Logger log = LoggerFactory.getLogger(LocalPortForwarder.class);

    private final SshConnection connection;
    private final LocalForward forward;
    private final boolean gatewayPorts;
    private final int streamLocalBindMask;
    private final boolean streamLocalBindUnlink;
    private final ForwardListeners listeners;

    /**
     * @param connection the SSH connection to forward through
     * @param forward what to listen on and where the server should connect
     * @param gatewayPorts ssh_config's GatewayPorts: whether a forward without bind address listens on all
     *        interfaces instead of loopback only
     */
    public LocalPortForwarder(SshConnection connection, LocalForward forward, boolean gatewayPorts) {
        this(connection, forward, gatewayPorts, DEFAULT_STREAM_LOCAL_BIND_MASK, false);
    }

    /**
     * A forwarder with ssh_config's settings for a forward that listens on a Unix-domain socket path.
     *
     * @param streamLocalBindMask StreamLocalBindMask: the umask the listening socket file is created with
     * @param streamLocalBindUnlink StreamLocalBindUnlink: whether an existing file at the path is removed first
     */
    public LocalPortForwarder(SshConnection connection, LocalForward forward, boolean gatewayPorts,
            int streamLocalBindMask, boolean streamLocalBindUnlink) {
        this.connection = connection;
        this.forward = forward;
        this.gatewayPorts = gatewayPorts;
        this.streamLocalBindMask = streamLocalBindMask;
        this.streamLocalBindUnlink = streamLocalBindUnlink;
        this.listeners = new ForwardListeners(connection, "Local", new Acceptor());
    }

    /**
     * Binds the listening socket(s). The future holds the first bound address (with the real port when the forward
     * asked for port 0) and fails if no address could be bound. For a forward that listens on a socket path use
     * {@link #startPath()}.
     */
    public Future<InetSocketAddress> start() {
        if (forward.bindPath() != null) {
            throw new IllegalStateException("forward listens on a path: use startPath()");
        }
        return listeners.start(forward.bindAddress(), forward.bindPort(), gatewayPorts);
    }

    /**
     * Listens on the forward's Unix-domain socket path ({@code -L /local/socket:…}) with the StreamLocalBindMask and
     * StreamLocalBindUnlink settings. Needs Netty's native epoll transport; the future fails saying so without it.
     */
    public Future<SocketAddress> startPath() {
        if (forward.bindPath() == null) {
            throw new IllegalStateException("forward listens on a port: use start()");
        }
        return listeners.startPath(forward.bindPath(), streamLocalBindMask, streamLocalBindUnlink);
    }

    /** The addresses listened on, once {@link #start()} completed. */
    public List<InetSocketAddress> boundAddresses() {
        return listeners.boundAddresses();
    }

    public LocalForward forward() {
        return forward;
    }

    /** Stops listening; forwarded connections already open continue until they end. */
    public Future<Void> close() {
        return listeners.close();
    }

    /** Where ssh(1) listens for this forward; see {@link ForwardListeners#bindAddresses}. */
    static List<InetSocketAddress> bindAddresses(LocalForward f, boolean gatewayPorts) throws UnknownHostException {
        return ForwardListeners.bindAddresses(f.bindAddress(), f.bindPort(), gatewayPorts);
    }

    /** Opens a channel for each accepted socket; the socket reads nothing until the channel is open. */
    private final class Acceptor extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel socket) {
            SocketChannelBridge bridge = new SocketChannelBridge();
            socket.pipeline().addLast("bridge", bridge);
            // A Unix-socket client has no address: OpenSSH names it 127.0.0.1 port 65535 for peers that check.
            InetSocketAddress from = socket.remoteAddress() instanceof InetSocketAddress a ? a
                    : new InetSocketAddress(InetAddress.getLoopbackAddress(), 65535);
            String type = forward.connectPath() != null ? DirectStreamLocal.CHANNEL_TYPE : DirectTcpip.CHANNEL_TYPE;
            byte[] open = forward.connectPath() != null ? new DirectStreamLocal(forward.connectPath()).encode()
                    : new DirectTcpip(forward.host(), forward.hostPort(), from.getAddress().getHostAddress(),
                            from.getPort()).encode();
            connection.openChannel(type, open, bridge).addListener(f -> {
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
                    log.debug("channel {}: connection from {} port {} forwarded to {}", ch.localId(),
                            from.getAddress().getHostAddress(), from.getPort(), forward.connectPath() != null
                                    ? forward.connectPath() : forward.host() + " port " + forward.hostPort());
                }
            });
        }
    }

    @Override
    public String toString() {
        return "LocalPortForwarder[" + forward.toSpec() + "]";
    }
}
