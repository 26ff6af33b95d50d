package dev.sluice.forwarding;

import dev.sluice.connection.SshConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The client side of {@code ssh -D}: a SOCKS server (SOCKS4, SOCKS4a, SOCKS5 without authentication, CONNECT) on a
 * local port. Each accepted connection names its destination in the SOCKS handshake; a {@code direct-tcpip} channel
 * is opened to it, and once the server confirms, the client gets the SOCKS success reply and the socket is bridged
 * to the channel (see {@link SocketChannelBridge}). A refused channel gets the matching SOCKS error reply ("connection
 * refused", "host unreachable", "connection not allowed by ruleset", ...; SOCKS4's "request rejected").
 *
 * <p>Like {@link LocalPortForwarder}, the listeners and accepted sockets live on the SSH connection's event loop and
 * close with the connection. {@link #start()} and {@link #close()} may be called from any thread.
 */
public final class DynamicPortForwarder {
    /** How long a SOCKS client may take to send its request: a client that stalls must not hold a socket forever. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    private final DynamicForward forward;
    private final boolean gatewayPorts;
    private final ForwardListeners listeners;

    /**
     * A forwarder with the {@linkplain #DEFAULT_HANDSHAKE_TIMEOUT default handshake timeout}.
     *
     * @param connection the SSH connection to forward through
     * @param forward where to listen
     * @param gatewayPorts ssh_config's GatewayPorts: whether a forward without bind address listens on all
     *        interfaces instead of loopback only
     */
    public DynamicPortForwarder(SshConnection connection, DynamicForward forward, boolean gatewayPorts) {
        this(connection, forward, gatewayPorts, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** As {@link #DynamicPortForwarder(SshConnection, DynamicForward, boolean)}, with a handshake timeout. */
    public DynamicPortForwarder(SshConnection connection, DynamicForward forward, boolean gatewayPorts,
            Duration handshakeTimeout) {
        this.forward = forward;
        this.gatewayPorts = gatewayPorts;
        long timeoutMillis = handshakeTimeout.toMillis();
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("handshake timeout must be positive: " + handshakeTimeout);
        }
        this.listeners = new ForwardListeners(connection, "Dynamic", new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel socket) {
                socket.pipeline().addLast("socks", new SocksServerHandler(connection, timeoutMillis));
            }
        });
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

    public DynamicForward forward() {
        return forward;
    }

    /** Stops listening; forwarded connections already open continue until they end. */
    public Future<Void> close() {
        return listeners.close();
    }

    @Override
    public String toString() {
        return "DynamicPortForwarder[" + forward.toSpec() + "]";
    }
}
