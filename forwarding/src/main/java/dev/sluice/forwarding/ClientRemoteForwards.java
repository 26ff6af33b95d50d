package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.connection.message.ForwardedStreamLocal;
import dev.sluice.connection.message.OpenFailureReason;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote forwardings a client connection has asked for, and its {@code forwarded-tcpip} and
 * {@code forwarded-streamlocal@openssh.com} open handlers: a channel the server opens is accepted only for a
 * forwarding we requested and the server granted, matched as ssh matches it (the address as we sent it and the port
 * the server listens on, or the socket path), and connected to that forwarding's destination, a host and port or a
 * local socket path (for reverse dynamic forwarding, accepted at once and served by a {@link ChannelSocksServer}).
 * Anything else is refused ADMINISTRATIVELY_PROHIBITED "open failed", with ssh's warning. Kept on the SSH socket;
 * touched only on the connection's event loop.
 */
final class ClientRemoteForwards {
    private static final Logger log = LoggerFactory.getLogger(ClientRemoteForwards.class);
    private static final AttributeKey<ClientRemoteForwards> KEY =
            AttributeKey.valueOf(ClientRemoteForwards.class, "forwards");

    /** A granted forwarding and the PermitRemoteOpen its reverse dynamic connections are checked against. */
    private record Granted(RemoteForward forward, PermitList permitRemoteOpen) {
    }

    private final Map<ServerForwards.Key, Granted> granted = new HashMap<>();
    private final Map<String, RemoteForward> grantedPaths = new HashMap<>();

    private ClientRemoteForwards() {
    }

    /** The table of {@code connection}, created (with its open handler registered) on first use; on the loop. */
    static ClientRemoteForwards of(SshConnection connection) {
        Channel ssh = connection.parent();
        ClientRemoteForwards t = ssh.attr(KEY).get();
        if (t == null) {
            t = new ClientRemoteForwards();
            ssh.attr(KEY).set(t);
            connection.registerOpenHandler(TcpipForwardHandler.FORWARDED_TCPIP, t::onOpen);
            connection.registerOpenHandler(ForwardedStreamLocal.CHANNEL_TYPE, t::onOpenStreamLocal);
        }
        return t;
    }

    void add(String requestAddress, int boundPort, RemoteForward forward, PermitList permitRemoteOpen) {
        granted.put(new ServerForwards.Key(requestAddress, boundPort), new Granted(forward, permitRemoteOpen));
    }

    void remove(String requestAddress, int boundPort) {
        granted.remove(new ServerForwards.Key(requestAddress, boundPort));
    }

    void addPath(String path, RemoteForward forward) {
        grantedPaths.put(path, forward);
    }

    void removePath(String path) {
        grantedPaths.remove(path);
    }

    private void onOpenStreamLocal(ChannelOpenRequest request) {
        // Malformed: PROTOCOL_ERROR.
        ForwardedStreamLocal open = ForwardedStreamLocal.decode(request.typeSpecificData());
        RemoteForward forward = grantedPaths.get(open.socketPath());
        if (forward == null) {
            log.error("WARNING: Server requests forwarding for unknown path {}", open.socketPath());
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        log.debug("client_request_forwarded_streamlocal: request: {}", open.socketPath());
        connect(request, forward);
    }

    private static void connect(ChannelOpenRequest request, RemoteForward forward) {
        if (forward.connectPath() != null) {
            OutboundConnect.connectPath(request, forward.connectPath());
        } else {
            OutboundConnect.connect(request, forward.host(), forward.hostPort());
        }
    }

    private void onOpen(ChannelOpenRequest request) {
        DirectTcpip open = DirectTcpip.decode(request.typeSpecificData()); // malformed: PROTOCOL_ERROR
        Granted g = granted.get(new ServerForwards.Key(open.host(), open.port()));
        if (g == null) {
            log.error("WARNING: Server requests forwarding for unknown listen_port {}",
                    Integer.toUnsignedLong(open.port()));
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        log.debug("client_request_forwarded_tcpip: listen {} port {}, originator {} port {}", open.host(),
                open.port(), open.originatorAddress(), Integer.toUnsignedLong(open.originatorPort()));
        if (g.forward().isDynamic()) {
            request.accept(new ChannelSocksServer(DynamicPortForwarder.DEFAULT_HANDSHAKE_TIMEOUT.toMillis(),
                    g.permitRemoteOpen()));
        } else {
            connect(request, g.forward());
        }
    }
}
