package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.message.OpenFailureReason;
import dev.sluice.transport.TransportSession;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's answer to the server's {@code auth-agent@openssh.com} channels once agent forwarding was requested:
 * connects to the agent's Unix-domain socket on the connection's loop, binds that agent connection to the SSH session
 * as ssh does ({@link AgentSessionBind}), and bridges it with the channel. When the agent cannot be reached the channel
 * is refused as ssh refuses it, ADMINISTRATIVELY_PROHIBITED "open failed".
 */
final class ClientAgentHandler implements ChannelOpenHandler {
    private static final Logger log = LoggerFactory.getLogger(ClientAgentHandler.class);

    private final Path agentSocket;

    ClientAgentHandler(Path agentSocket) {
        this.agentSocket = agentSocket;
    }

    @Override
    public void onOpen(ChannelOpenRequest request) {
        if (!NettyTransports.supportsDomainSockets(request.connection().eventLoop())) {
            log.info("channel {}: agent forwarding needs Unix-domain sockets (the native epoll transport)",
                    request.localId());
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        SocketChannelBridge bridge = new SocketChannelBridge();
        Runnable refuse = () -> request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
        AgentSessionBind bind = AgentSessionBind.forConnection(TransportSession.of(request.connection().parent()),
                bridge, () -> request.accept(bridge), refuse);
        NettyTransports.domainSocketBootstrap(request.connection().eventLoop())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(bind != null ? bind : bridge)
                .connect(NettyTransports.domainSocketAddress(agentSocket.toString()))
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        log.debug("channel {}: authentication agent connection to {}", request.localId(),
                                agentSocket);
                        if (bind == null) {
                            request.accept(bridge);
                        }
                    } else {
                        log.debug("channel {}: cannot connect to agent at {}: {}", request.localId(), agentSocket,
                                NettyTransports.describeConnectFailure(f.cause()));
                        request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
                    }
                });
    }
}
