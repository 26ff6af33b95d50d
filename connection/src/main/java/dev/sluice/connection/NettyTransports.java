package dev.sluice.connection;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ConnectTimeoutException;
import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;

/**
 * Chooses Netty's native epoll transport when it is available and NIO otherwise, and gives every socket the same
 * options: TCP_NODELAY (Nagle meeting delayed ACK costs ~40 to 200 ms per exchange) and, for SSH sockets, a write
 * water mark sized for 32 KiB packets.
 *
 * <p>The socket classes follow the event loop they are registered on, so a socket that a connection opens or accepts
 * for forwarding on the connection's own loop always matches it.
 */
public final class NettyTransports {
    /** strerror texts and their Linux errno, as they appear in connect failures. */
    private static final String[][] ERRNO_TEXTS = {{"Connection refused", "111"}, {"No route to host", "113"},
        {"Network is unreachable", "101"}, {"Connection timed out", "110"}, {"Connection reset by peer", "104"},
        {"Permission denied", "13"}, {"Cannot assign requested address", "99"}};
    /**
     * Writability water marks for SSH sockets: Netty's default (32/64 KiB) is two packets, which would pause every
     * channel of the connection after each pair of packets; 1 MiB keeps several packets in flight per flush and still
     * bounds what a connection holds in user space.
     */
    public static final WriteBufferWaterMark SSH_WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private NettyTransports() {
    }

    /** True when the native epoll transport can be used on this machine. */
    public static boolean nativeAvailable() {
        return Epoll.isAvailable();
    }

    /**
     * A new event loop group of {@code threads} threads (0: Netty's default), epoll when available (with
     * {@link RegistrationKeepingEpollIoHandler}'s fix for half-closed sockets).
     */
    public static EventLoopGroup newEventLoopGroup(int threads, String name) {
        IoHandlerFactory factory = Epoll.isAvailable() ? RegistrationKeepingEpollIoHandler.newFactory()
                : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** The client socket class matching {@code group}'s loops. */
    public static Class<? extends SocketChannel> socketChannelType(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The server socket class matching {@code group}'s loops. */
    public static Class<? extends ServerSocketChannel> serverSocketChannelType(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** A client bootstrap on {@code loop} with the matching socket class and TCP_NODELAY. */
    public static Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap().group(loop).channel(socketChannelType(loop)).option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * A server bootstrap whose listening socket and accepted sockets all live on {@code loop} (so a forwarded byte
     * never changes threads), with TCP_NODELAY on accepted sockets.
     */
    public static ServerBootstrap serverBootstrap(EventLoop loop) {
        return serverBootstrap(loop, loop);
    }

    /**
     * As {@link #serverBootstrap(EventLoop)}, for binding {@code address}: an IPv4 address gets an IPv4 socket, so
     * that {@code 0.0.0.0} means IPv4's wildcard only, as in sshd (getaddrinfo gives an AF_INET socket for it), not
     * Java's dual-stack socket.
     */
    public static ServerBootstrap serverBootstrap(EventLoop loop, InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            return serverBootstrap(loop);
        }
        ServerBootstrap b = new ServerBootstrap().group(loop, loop).childOption(ChannelOption.TCP_NODELAY, true);
        return isEpoll(loop) ? b.channelFactory(() -> new EpollServerSocketChannel(SocketProtocolFamily.INET))
                : b.channelFactory(() -> new NioServerSocketChannel(SelectorProvider.provider(),
                        SocketProtocolFamily.INET));
    }

    /** A server bootstrap with separate acceptor and worker groups, TCP_NODELAY on accepted sockets. */
    public static ServerBootstrap serverBootstrap(EventLoopGroup acceptor, EventLoopGroup workers) {
        return new ServerBootstrap().group(acceptor, workers).channel(serverSocketChannelType(acceptor))
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    /** True when Unix-domain sockets can be opened on {@code group}'s loops (they need the native epoll transport). */
    public static boolean supportsDomainSockets(EventLoopGroup group) {
        return isEpoll(group);
    }

    /**
     * A client bootstrap for a Unix-domain socket on {@code loop}.
     *
     * @throws UnsupportedOperationException when the loop is not an epoll loop
     */
    public static Bootstrap domainSocketBootstrap(EventLoop loop) {
        requireDomainSockets(loop);
        return new Bootstrap().group(loop).channel(EpollDomainSocketChannel.class);
    }

    /**
     * A server bootstrap listening on a Unix-domain socket, it and its accepted sockets on {@code loop}.
     *
     * @throws UnsupportedOperationException when the loop is not an epoll loop
     */
    public static ServerBootstrap domainServerBootstrap(EventLoop loop) {
        requireDomainSockets(loop);
        return new ServerBootstrap().group(loop, loop).channel(EpollServerDomainSocketChannel.class);
    }

    /** The address of the Unix-domain socket at {@code path}, for the domain socket bootstraps. */
    public static SocketAddress domainSocketAddress(String path) {
        return new DomainSocketAddress(path);
    }

    private static void requireDomainSockets(EventLoopGroup group) {
        if (!isEpoll(group)) {
            throw new UnsupportedOperationException("Unix-domain socket forwarding needs Netty's native epoll"
                    + " transport, which is not available here: " + Epoll.unavailabilityCause());
        }
    }

    private static boolean isEpoll(EventLoopGroup group) {
        return group.next() instanceof IoEventLoop loop && (loop.isIoType(RegistrationKeepingEpollIoHandler.class) || loop.isIoType(EpollIoHandler.class));
    }

    /**
     * The words OpenSSH uses for a failed connect (strerror, or gai_strerror for a name), from the JDK's and Netty's
     * exceptions: NIO says "Connection refused", native epoll "finishConnect(..) failed with error(-111)".
     */
    public static String describeConnectFailure(Throwable cause) {
        if (cause instanceof UnknownHostException) {
            return "Name or service not known";
        }
        if (cause instanceof FileNotFoundException) {
            return "No such file or directory"; // a Unix-domain socket path that does not exist (epoll, ENOENT)
        }
        if (cause instanceof ConnectTimeoutException) {
            return "Connection timed out";
        }
        if (cause instanceof NoRouteToHostException) {
            return "No route to host";
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        for (String[] known : ERRNO_TEXTS) {
            if (message.contains(known[0].toLowerCase(Locale.ROOT)) || message.contains("error(-" + known[1] + ")")) {
                return known[0];
            }
        }
        return cause instanceof ConnectException ? "Connection refused" : String.valueOf(cause.getMessage());
    }
}
