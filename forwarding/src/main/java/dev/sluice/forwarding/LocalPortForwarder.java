package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
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
    private final ForwardListeners listeners;

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
        this.listeners = new ForwardListeners(connection, "Local", new Acceptor());
    }

    /**
     * Binds the listening socket(s). The future holds the first bound address (with the real port when the forward
     * asked for port 0) and fails if no address could be bound.
     */
    public Future<InetSocketAddress> start() {
        return listeners.start(forward.bindAddress(), forward.bindPort(), gatewayPorts);
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
