package dev.sluice.forwarding;

import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.StreamLocalForward;
import dev.sluice.connection.message.TcpipForward;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of {@code ssh -R}: asks the server to listen ({@code tcpip-forward}) and connects every
 * {@code forwarded-tcpip} channel the server then opens for it to the forwarding's destination, bridged by a
 * {@link SocketChannelBridge} on the SSH connection's event loop. Channels the server opens for forwardings we did not
 * ask for are refused. The parallel of {@link LocalPortForwarder}. For reverse dynamic forwarding
 * ({@link RemoteForward#isDynamic()}) each channel carries a SOCKS request, which this side answers as the SOCKS
 * server ({@link ChannelSocksServer}) before bridging to the destination it names. A forwarding may also connect
 * to a local Unix-domain socket ({@link RemoteForward#connectPath()}), and one whose server side is a socket path
 * ({@link RemoteForward#bindPath()}, {@code ssh -R /remote/socket:…}) is started with {@link #startPath()}: it asks
 * with {@code streamlocal-forward@openssh.com} and accepts {@code forwarded-streamlocal@openssh.com} channels.
 *
 * <pre>{@code
 * RemotePortForwarder r = new RemotePortForwarder(connection, RemoteForward.parse("0:localhost:8080"));
 * int port = r.start().get();   // the port the server listens on
 * new RemotePortForwarder(connection, RemoteForward.parse("/run/app.sock:localhost:8080")).startPath().get();
 * }</pre>
 *
 * <p>{@link #start()} and {@link #cancel()} may be called from any thread.
 */
public final class RemotePortForwarder {
    private static final Logger log = LoggerFactory.getLogger(RemotePortForwarder.class);

    private final SshConnection connection;
    private final RemoteForward forward;
    private final PermitList permitRemoteOpen;
    private volatile int boundPort = -1;
    private volatile boolean pathStarted;

    public RemotePortForwarder(SshConnection connection, RemoteForward forward) {
        this(connection, forward, PermitList.ANY);
    }

    /**
     * A forwarder whose reverse dynamic connections may only go where ssh_config's {@code PermitRemoteOpen} allows
     * (OpenSSH 8.2+); a SOCKS request for any other destination is answered "not allowed by ruleset" (SOCKS5) or
     * "rejected" (SOCKS4) and its channel closed.
     *
     * @param permitRemoteOpen the permitted destinations, {@link PermitList#parsePermitRemoteOpen} or
     *        {@link PermitList#ANY}; ignored unless the forward {@linkplain RemoteForward#isDynamic() is dynamic}
     */
    public RemotePortForwarder(SshConnection connection, RemoteForward forward, PermitList permitRemoteOpen) {
        this.connection = connection;
        this.forward = forward;
        this.permitRemoteOpen = permitRemoteOpen;
    }

    /**
     * Sends {@code tcpip-forward}. The future holds the port the server listens on (the one it allocated when the
     * forward asked for 0); it fails with an {@link IOException} "remote port forwarding failed for listen port N"
     * when the server refuses, or with the connection's error when it closes first.
     */
    public Future<Integer> start() {
        if (forward.bindPath() != null) {
            throw new IllegalStateException("forward listens on a path: use startPath()");
        }
        EventLoop loop = connection.eventLoop();
        Promise<Integer> result = loop.newPromise();
        String address = forward.requestAddress();
        loop.execute(() -> {
            ClientRemoteForwards.of(connection); // the open handler is in place before the server can use it
            connection.sendGlobalRequest(TcpipForward.REQUEST, true,
                    new TcpipForward(address, forward.bindPort()).encode()).addListener(f -> {
                        if (!f.isSuccess()) {
                            result.tryFailure(f.cause());
                            return;
                        }
                        @SuppressWarnings("unchecked")
                        Optional<byte[]> reply = (Optional<byte[]>) f.getNow();
                        if (reply.isEmpty()) {
                            result.tryFailure(new IOException("remote port forwarding failed for listen port "
                                    + forward.bindPort()));
                            return;
                        }
                        int port = forward.bindPort();
                        if (port == 0) {
                            try {
                                port = TcpipForward.decodePort(reply.get());
                            } catch (RuntimeException e) {
                                port = -1; // not one uint32: as unusable as a port out of range
                            }
                            if (port <= 0 || port > 65535) {
                                log.error("Invalid allocated port {} for remote forward to {}",
                                        Integer.toUnsignedLong(port), forward.destination());
                                result.tryFailure(new IOException("remote port forwarding failed for listen port 0"));
                                return;
                            }
                        }
                        ClientRemoteForwards.of(connection).add(address, port, forward, permitRemoteOpen);
                        boundPort = port;
                        log.debug("remote forward success for: listen {}:{}, connect {}", address, port,
                                forward.destination());
                        result.trySuccess(port);
                    });
        });
        return result;
    }

    /**
     * Sends {@code streamlocal-forward@openssh.com} for a forward whose server side is a socket path. The future
     * holds the path once the server listens there; it fails with an {@link IOException} "remote port forwarding
     * failed for listen path PATH" when the server refuses (by policy, or because the path exists and its
     * StreamLocalBindUnlink is off), or with the connection's error when it closes first.
     */
    public Future<String> startPath() {
        String path = forward.bindPath();
        if (path == null) {
            throw new IllegalStateException("forward listens on a port: use start()");
        }
        EventLoop loop = connection.eventLoop();
        Promise<String> result = loop.newPromise();
        loop.execute(() -> {
            ClientRemoteForwards.of(connection); // the open handler is in place before the server can use it
            connection.sendGlobalRequest(StreamLocalForward.REQUEST, true, new StreamLocalForward(path).encode())
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            result.tryFailure(f.cause());
                        } else if (((Optional<?>) f.getNow()).isEmpty()) {
                            result.tryFailure(new IOException("remote port forwarding failed for listen path "
                                    + path));
                        } else {
                            ClientRemoteForwards.of(connection).addPath(path, forward);
                            pathStarted = true;
                            log.debug("remote forward success for: listen {}, connect {}", path,
                                    forward.destination());
                            result.trySuccess(path);
                        }
                    });
        });
        return result;
    }

    /**
     * Sends {@code cancel-tcpip-forward} (or {@code cancel-streamlocal-forward@openssh.com}) for a started forwarding
     * and stops accepting its channels; the future fails when the server refuses. Connections already forwarded
     * continue until they end.
     */
    public Future<Void> cancel() {
        EventLoop loop = connection.eventLoop();
        Promise<Void> result = loop.newPromise();
        if (forward.bindPath() != null) {
            return cancelPath(loop, result);
        }
        int port = boundPort;
        if (port < 0) {
            result.setFailure(new IllegalStateException("remote forwarding " + forward.toSpec() + " not started"));
            return result;
        }
        String address = forward.requestAddress();
        loop.execute(() -> {
            ClientRemoteForwards.of(connection).remove(address, port);
            connection.sendGlobalRequest(TcpipForward.CANCEL, true, new TcpipForward(address, port).encode())
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            result.tryFailure(f.cause());
                        } else if (((Optional<?>) f.getNow()).isEmpty()) {
                            result.tryFailure(new IOException("cancel-tcpip-forward for port " + port + " refused"));
                        } else {
                            result.trySuccess(null);
                        }
                    });
        });
        return result;
    }

    private Future<Void> cancelPath(EventLoop loop, Promise<Void> result) {
        String path = forward.bindPath();
        if (!pathStarted) {
            result.setFailure(new IllegalStateException("remote forwarding " + forward.toSpec() + " not started"));
            return result;
        }
        loop.execute(() -> {
            ClientRemoteForwards.of(connection).removePath(path);
            connection.sendGlobalRequest(StreamLocalForward.CANCEL, true, new StreamLocalForward(path).encode())
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            result.tryFailure(f.cause());
                        } else if (((Optional<?>) f.getNow()).isEmpty()) {
                            result.tryFailure(new IOException("cancel-streamlocal-forward for path " + path
                                    + " refused"));
                        } else {
                            result.trySuccess(null);
                        }
                    });
        });
        return result;
    }

    public RemoteForward forward() {
        return forward;
    }

    /** The port the server listens on, once {@link #start()} succeeded; -1 before. */
    public int boundPort() {
        return boundPort;
    }

    @Override
    public String toString() {
        return "RemotePortForwarder[" + forward.toSpec() + "]";
    }
}
