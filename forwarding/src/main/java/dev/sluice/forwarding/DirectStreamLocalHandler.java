package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectStreamLocal;
import dev.sluice.connection.message.OpenFailureReason;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code direct-streamlocal@openssh.com} (OpenSSH's PROTOCOL section 2.4, the client's
 * {@code -L [bind:]port:/remote/socket}): checks AllowStreamLocalForwarding, connects to the Unix-domain socket on
 * the connection's own event loop, confirms the channel once connected, and bridges socket and channel with
 * {@link SocketChannelBridge}.
 *
 * <p>Answers as sshd does: a refusal by policy (AllowStreamLocalForwarding, or the key's {@code no-port-forwarding})
 * is ADMINISTRATIVELY_PROHIBITED "open failed"; a failed connect is CONNECT_FAILED with the system's words ("No such
 * file or directory", "Connection refused"). Unix-domain sockets need Netty's native epoll transport; without it
 * every open is refused with CONNECT_FAILED saying so. Register it for {@link DirectStreamLocal#CHANNEL_TYPE} on a
 * server's {@code ConnectionHandler}.
 */
public final class DirectStreamLocalHandler implements ChannelOpenHandler {
    private static final Logger log = LoggerFactory.getLogger(DirectStreamLocalHandler.class);

    /** The channel type this handler is for, to register it under. */
    public static final String CHANNEL_TYPE = DirectStreamLocal.CHANNEL_TYPE;

    private final Function<SshConnection, AllowStreamLocalForwarding> allowed;

    public DirectStreamLocalHandler(AllowStreamLocalForwarding allow) {
        this(c -> allow);
    }

    /** @param allowed AllowStreamLocalForwarding per connection (sshd's Match blocks), asked on its event loop */
    public DirectStreamLocalHandler(Function<SshConnection, AllowStreamLocalForwarding> allowed) {
        this.allowed = allowed;
    }

    @Override
    public void onOpen(ChannelOpenRequest request) {
        DirectStreamLocal target = DirectStreamLocal.decode(request.typeSpecificData()); // malformed: PROTOCOL_ERROR
        // sshd's rule: AllowStreamLocalForwarding, and the key's no-port-forwarding (or restrict) covers sockets too.
        if (!allowed.apply(request.connection()).allowsLocal()
                || !ForwardingUser.of(request.connection()).restrictions().portForwarding()) {
            log.info("refused streamlocal port forward: originator 127.0.0.1 port 65535, target path {}",
                    target.socketPath());
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        if (!NettyTransports.supportsDomainSockets(request.connection().eventLoop())) {
            log.info("channel {}: connect_to {}: Unix-domain sockets need the native epoll transport",
                    request.localId(), target.socketPath());
            request.reject(OpenFailureReason.CONNECT_FAILED, "Unix-domain sockets are not supported here");
            return;
        }
        log.debug("channel {}: direct-streamlocal to {}", request.localId(), target.socketPath());
        SocketChannelBridge bridge = new SocketChannelBridge();
        NettyTransports.domainSocketBootstrap(request.connection().eventLoop())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, SocketChannelBridge.RECV_ALLOCATOR)
                .handler(bridge)
                .connect(NettyTransports.domainSocketAddress(target.socketPath()))
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        request.accept(bridge);
                    } else {
                        String why = NettyTransports.describeConnectFailure(f.cause());
                        log.info("channel {}: connect_to {}: failed: {}", request.localId(), target.socketPath(),
                                why);
                        request.reject(OpenFailureReason.CONNECT_FAILED, why);
                    }
                });
    }
}
