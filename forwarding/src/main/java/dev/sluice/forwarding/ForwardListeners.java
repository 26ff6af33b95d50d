package dev.sluice.forwarding;

import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets of one client-side forward ({@code -L} or {@code -D}), bound as ssh(1) binds them, on the
 * SSH connection's event loop. Accepted sockets get AUTO_READ off, half-closure allowed, the forwarding read sizes,
 * and {@code childHandler}. The listeners close with the connection.
 */
final class ForwardListeners {
    private static final Logger log = LoggerFactory.getLogger(ForwardListeners.class);

    private final SshConnection connection;
    private final String kind;
    private final ChannelHandler childHandler;
    private final List<Channel> listeners = new ArrayList<>(2);
    private volatile List<InetSocketAddress> bound = List.of();
    /** ssh's line for the last failed bind, "bind [ADDR]:PORT: strerror", attached to a failed start. */
    private String lastBindFailure;

    /**
     * @param kind how ssh names the forward in its log lines: "Local" or "Dynamic"
     * @param childHandler the handler (usually a ChannelInitializer) of each accepted socket
     */
    ForwardListeners(SshConnection connection, String kind, ChannelHandler childHandler) {
        this.connection = connection;
        this.kind = kind;
        this.childHandler = childHandler;
    }

    /**
     * Binds the listening socket(s) for {@code bindAddress} (see {@link #bindAddresses}). The future holds the first
     * bound address (with the real port when port 0 was asked) and fails if no address could be bound.
     */
    Future<InetSocketAddress> start(String bindAddress, int port, boolean gatewayPorts) {
        EventLoop loop = connection.eventLoop();
        Promise<InetSocketAddress> result = loop.newPromise();
        List<InetSocketAddress> addresses;
        try {
            addresses = bindAddresses(bindAddress, port, gatewayPorts);
        } catch (UnknownHostException e) {
            result.setFailure(e);
            return result;
        }
        loop.execute(() -> bindNext(addresses, 0, port, result));
        return result;
    }

    /**
     * Listens on the Unix-domain socket {@code path}, as ssh does for {@code -L /local/socket:…}; see
     * {@link #bindPath}. The future fails with "unix_listener: cannot bind to path PATH: REASON" as ssh words it.
     */
    Future<SocketAddress> startPath(String path, int mask, boolean unlink) {
        EventLoop loop = connection.eventLoop();
        Promise<SocketAddress> result = loop.newPromise();
        bindPath(loop, path, mask, unlink, childHandler).addListener(f -> {
            if (!f.isSuccess()) {
                result.setFailure(f.cause());
                return;
            }
            Channel listener = (Channel) f.getNow();
            listeners.add(listener);
            connection.closeFuture().addListener(c -> listener.close());
            log.debug("{} forwarding listening on path {}.", kind, path);
            result.setSuccess(NettyTransports.domainSocketAddress(path));
        });
        return result;
    }

    /**
     * Binds a listening Unix-domain socket at {@code path} on {@code loop}, as ssh and sshd do: an existing file there
     * is removed first only with {@code unlink} (StreamLocalBindUnlink), and the socket's permissions are
     * {@code 0777 & ~mask} (StreamLocalBindMask). They set the umask around bind; Java cannot, so the socket is bound
     * under a temporary name beside the path, given its permissions, and only then linked to the path, so it is never
     * reachable there with looser ones. When the listener closes, the path is unlinked if it still names this socket
     * (not a file someone put there since). Accepted sockets get AUTO_READ off, half-closure allowed, the
     * forwarding read sizes, and {@code childHandler}. The future holds the listening channel, or fails with
     * "unix_listener: cannot bind to path PATH: REASON"; it completes on {@code loop}.
     */
    static Future<Channel> bindPath(EventLoop loop, String path, int mask, boolean unlink,
            ChannelHandler childHandler) {
        Promise<Channel> result = loop.newPromise();
        if (!NettyTransports.supportsDomainSockets(loop)) {
            result.setFailure(new UnsupportedOperationException("unix_listener: cannot bind to path " + path
                    + ": Unix-domain sockets need Netty's native epoll transport, which is not available here"));
            return result;
        }
        Path target = Path.of(path);
        // Short, so that it fits sun_path wherever the path itself nearly does.
        Path temporary = target.resolveSibling(String.format(".s%08x", (int) System.nanoTime()));
        try {
            if (unlink) {
                Files.deleteIfExists(target);
            } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                result.setFailure(cannotBind(path, "Address already in use"));
                return result;
            }
        } catch (IOException e) {
            result.setFailure(cannotBind(path, e.toString()));
            return result;
        }
        loop.execute(() -> NettyTransports.domainServerBootstrap(loop)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .childHandler(childHandler)
                .bind(NettyTransports.domainSocketAddress(temporary.toString()))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        result.setFailure(cannotBind(path, NettyTransports.describeConnectFailure(f.cause())));
                        return;
                    }
                    Object socketFile;
                    try {
                        Files.setPosixFilePermissions(temporary, permissions(mask));
                        Files.createLink(target, temporary);
                        socketFile = fileKey(target);
                    } catch (FileAlreadyExistsException e) {
                        f.channel().close();
                        result.setFailure(cannotBind(path, "Address already in use"));
                        return;
                    } catch (IOException | UnsupportedOperationException e) {
                        f.channel().close();
                        result.setFailure(cannotBind(path, e.toString()));
                        return;
                    } finally {
                        deleteQuietly(temporary);
                    }
                    f.channel().closeFuture().addListener(c -> unlinkIfSame(target, socketFile));
                    result.setSuccess(f.channel());
                }));
        return result;
    }

    /** The file's identity (device and inode on Linux), or null where the file system has none. */
    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static void unlinkIfSame(Path path, Object socketFile) {
        try {
            if (socketFile != null && socketFile.equals(fileKey(path))) {
                Files.delete(path);
            }
        } catch (IOException e) {
            log.debug("not removing {}: {}", path, e.toString()); // already gone, or not ours to remove
        }
    }

    private static BindException cannotBind(String path, String reason) {
        return new BindException("unix_listener: cannot bind to path " + path + ": " + reason);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", file, e.toString());
        }
    }

    /** The permissions a socket gets under umask {@code mask}: rw for whom the mask leaves them (x means nothing). */
    static Set<PosixFilePermission> permissions(int mask) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        int mode = 0777 & ~mask;
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }

    /** The addresses listened on, once {@link #start} completed. */
    List<InetSocketAddress> boundAddresses() {
        return bound;
    }

    /** Stops listening; forwarded connections already open continue until they end. */
    Future<Void> close() {
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
    static List<InetSocketAddress> bindAddresses(String bindAddress, int port, boolean gatewayPorts)
            throws UnknownHostException {
        String addr = bindAddress;
        if (addr == null) {
            addr = gatewayPorts ? "*" : "localhost";
        }
        if (addr.isEmpty() || addr.equals("*")) {
            return List.of(new InetSocketAddress(port)); // the dual-stack wildcard
        }
        List<InetSocketAddress> out = new ArrayList<>();
        InetAddress[] all = addr.equals("localhost")
                ? new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")}
                : InetAddress.getAllByName(addr);
        for (InetAddress a : all) {
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    /** Binds the addresses one by one; with port 0 the later ones reuse the port the first one got, as ssh does. */
    private void bindNext(List<InetSocketAddress> addresses, int i, int port, Promise<InetSocketAddress> result) {
        if (i == addresses.size()) {
            bound = List.copyOf(bound);
            if (listeners.isEmpty()) {
                BindException e = new BindException("cannot listen to port: " + port);
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
                .childHandler(childHandler)
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
                            log.debug("{} forwarding listening on {} port {}.", kind,
                                    got.getAddress().getHostAddress(), got.getPort());
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
}
