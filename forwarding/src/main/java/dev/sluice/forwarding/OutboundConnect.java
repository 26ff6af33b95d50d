package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.message.OpenFailureReason;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a peer-opened channel to {@code host:port} on the connection's own event loop and accepts it once
 * connected, bridged by a {@link SocketChannelBridge}; a failed connect rejects it with CONNECT_FAILED and the
 * system's words ("Connection refused", "Name or service not known"). Shared by the server's {@code direct-tcpip}
 * and the client's {@code forwarded-tcpip}; reverse dynamic forwarding ({@link ChannelSocksServer}) uses the socket
 * half only. {@link #connectPath} does the same for a Unix-domain socket (the server's
 * {@code direct-streamlocal@openssh.com}, the client's forwardings to a local socket path).
 */
final class OutboundConnect {
    private static final Logger log = LoggerFactory.getLogger(OutboundConnect.class);

    private OutboundConnect() {
    }

    static void connect(ChannelOpenRequest request, String host, int port) {
        SocketChannelBridge bridge = new SocketChannelBridge();
        connect(request.connection().eventLoop(), bridge, host, port).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                request.accept(bridge);
            } else {
                String why = NettyTransports.describeConnectFailure(f.cause());
                log.info("channel {}: connect_to {} port {}: failed: {}", request.localId(), host, port, why);
                request.reject(OpenFailureReason.CONNECT_FAILED, why);
            }
        });
    }

    /**
     * Connects a peer-opened channel to the Unix-domain socket {@code path} and accepts it once connected; a failed
     * connect is CONNECT_FAILED with the system's words ("No such file or directory", "Connection refused").
     * Needs the native epoll transport: without it the channel is refused with CONNECT_FAILED saying so.
     */
    static void connectPath(ChannelOpenRequest request, String path) {
        EventLoop loop = request.connection().eventLoop();
        if (!NettyTransports.supportsDomainSockets(loop)) {
            log.info("channel {}: connect_to {}: Unix-domain sockets need the native epoll transport",
                    request.localId(), path);
            request.reject(OpenFailureReason.CONNECT_FAILED, "Unix-domain sockets are not supported here");
            return;
        }
        SocketChannelBridge bridge = new SocketChannelBridge();
        NettyTransports.domainSocketBootstrap(loop)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .handler(bridge)
                .connect(NettyTransports.domainSocketAddress(path))
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        request.accept(bridge);
                    } else {
                        String why = NettyTransports.describeConnectFailure(f.cause());
                        log.info("channel {}: connect_to {}: failed: {}", request.localId(), path, why);
                        request.reject(OpenFailureReason.CONNECT_FAILED, why);
                    }
                });
    }

    /**
     * Connects a socket on {@code loop} to {@code host:port}, with {@code bridge} as its handler and the socket
     * options the bridge needs (AUTO_READ off, half-closure); a name is resolved off the loop.
     */
    static ChannelFuture connect(EventLoop loop, SocketChannelBridge bridge, String host, int port) {
        return NettyTransports.bootstrap(loop)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .resolver(OffloadingResolverGroup.INSTANCE)
                .handler(bridge)
                .connect(address(host, port));
    }

    /** An IP literal as a resolved address (no resolver round trip), a name as an unresolved one. */
    static SocketAddress address(String host, int port) {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip != null) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(host, ip), port);
            } catch (UnknownHostException e) {
                throw new AssertionError("4 or 16 bytes from NetUtil", e);
            }
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
