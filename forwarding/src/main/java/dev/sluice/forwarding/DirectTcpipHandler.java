package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.connection.message.OpenFailureReason;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code direct-tcpip} (RFC 4254 section 7.2, the client's {@code -L} and {@code -D}): checks the
 * {@link ForwardingPolicy}, connects to the requested host and port on the connection's own event loop, confirms the
 * channel once connected, and bridges socket and channel with {@link SocketChannelBridge}.
 *
 * <p>Refusals are answered as OpenSSH's sshd answers them: a policy refusal is ADMINISTRATIVELY_PROHIBITED with the
 * text "open failed" (so ssh prints "administratively prohibited: open failed"); a failed connect is CONNECT_FAILED
 * with the system's words, e.g. "Connection refused", or "Name or service not known" for a name that does not
 * resolve. Register it for {@link DirectTcpip#CHANNEL_TYPE} on a server's {@code ConnectionHandler}.
 */
public final class DirectTcpipHandler implements ChannelOpenHandler {
    private static final Logger log = LoggerFactory.getLogger(DirectTcpipHandler.class);

    private final ForwardingPolicy policy;

    public DirectTcpipHandler(ForwardingPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void onOpen(ChannelOpenRequest request) {
        DirectTcpip target = DirectTcpip.decode(request.typeSpecificData()); // malformed: PROTOCOL_ERROR
        if (!policy.permitsDirectTcpip(target)) {
            log.info("refused local port forward: originator {} port {}, target {} port {}",
                    target.originatorAddress(), Integer.toUnsignedLong(target.originatorPort()), target.host(),
                    Integer.toUnsignedLong(target.port()));
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        if (target.port() < 0 || target.port() > 65535) {
            log.info("channel {}: invalid target port {}", request.localId(), Integer.toUnsignedLong(target.port()));
            request.reject(OpenFailureReason.CONNECT_FAILED, "open failed");
            return;
        }
        log.debug("channel {}: direct-tcpip to {} port {}, originator {} port {}", request.localId(), target.host(),
                target.port(), target.originatorAddress(), target.originatorPort());
        SocketChannelBridge bridge = new SocketChannelBridge();
        NettyTransports.bootstrap(request.connection().eventLoop())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .resolver(OffloadingResolverGroup.INSTANCE)
                .handler(bridge)
                .connect(address(target.host(), target.port()))
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        request.accept(bridge);
                    } else {
                        String why = NettyTransports.describeConnectFailure(f.cause());
                        log.info("channel {}: connect_to {} port {}: failed: {}", request.localId(), target.host(),
                                target.port(), why);
                        request.reject(OpenFailureReason.CONNECT_FAILED, why);
                    }
                });
    }

    /** An IP literal as a resolved address (no resolver round trip), a name as an unresolved one. */
    private static SocketAddress address(String host, int port) {
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
