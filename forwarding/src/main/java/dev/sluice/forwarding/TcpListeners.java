package dev.sluice.forwarding;

import dev.sluice.connection.NettyTransports;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the listening sockets of one forwarding on a connection's event loop, as OpenSSH's
 * {@code channel_setup_fwd_listener_tcpip} does: every address in turn, and with port 0 the later addresses reuse the
 * port the first one got. Accepted sockets are set up for a {@link SocketChannelBridge} (AUTO_READ off, half-closure
 * allowed) and get {@code childHandler}.
 */
final class TcpListeners {
    private static final Logger log = LoggerFactory.getLogger(TcpListeners.class);

    private TcpListeners() {
    }

    /**
     * Binds; the future holds the bound listeners (at least one) or fails with "cannot listen to port: N" when none
     * could be bound. Completes on {@code loop}.
     */
    static Future<List<Channel>> bind(EventLoop loop, List<InetAddress> addresses, int port, ChannelHandler child) {
        Promise<List<Channel>> result = loop.newPromise();
        loop.execute(() -> {
            List<Channel> bound = new ArrayList<>();
            try {
                bindNext(loop, addresses, 0, port, port, child, bound, result);
            } catch (RuntimeException e) {
                bound.forEach(Channel::close);
                result.tryFailure(e);
            }
        });
        return result;
    }

    /** The wildcard address: {@code ::}, which listens on both families, or {@code 0.0.0.0} without IPv6. */
    static List<InetAddress> wildcard() {
        return List.of(NetUtil.isIpV4StackPreferred() ? address(new byte[4]) : address(new byte[16]));
    }

    /** The loopback addresses of both families, as getaddrinfo(NULL) without AI_PASSIVE gives them. */
    static List<InetAddress> loopback() {
        return List.of(ipv4Loopback(), ipv6Loopback());
    }

    private static InetAddress ipv4Loopback() {
        return address(new byte[] {127, 0, 0, 1});
    }

    private static InetAddress ipv6Loopback() {
        byte[] a = new byte[16];
        a[15] = 1;
        return address(a);
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e);
        }
    }

    private static void bindNext(EventLoop loop, List<InetAddress> addresses, int i, int requestedPort, int port,
            ChannelHandler child, List<Channel> bound, Promise<List<Channel>> result) {
        if (i == addresses.size()) {
            if (bound.isEmpty()) {
                result.tryFailure(new BindException("cannot listen to port: " + requestedPort));
            } else {
                result.trySuccess(List.copyOf(bound));
            }
            return;
        }
        InetSocketAddress want = new InetSocketAddress(addresses.get(i), port);
        NettyTransports.serverBootstrap(loop, want.getAddress())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .childHandler(child)
                .bind(want).addListener((ChannelFutureListener) f -> {
                    int nextPort = port;
                    if (f.isSuccess()) {
                        bound.add(f.channel());
                        InetSocketAddress got = (InetSocketAddress) f.channel().localAddress();
                        nextPort = got.getPort();
                        log.debug("Remote forwarding listening on {} port {}.", got.getAddress().getHostAddress(),
                                got.getPort());
                    } else {
                        log.info("bind [{}]:{}: {}", want.getAddress().getHostAddress(), port,
                                f.cause().getMessage());
                    }
                    bindNext(loop, addresses, i + 1, requestedPort, nextPort, child, bound, result);
                });
    }
}
