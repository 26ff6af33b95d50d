package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectStreamLocal;
import dev.sluice.connection.message.OpenFailureReason;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code direct-streamlocal@openssh.com} (OpenSSH's PROTOCOL section 2.4, the client's
 * {@code -L [bind:]port:/remote/socket}): checks AllowStreamLocalForwarding, connects to the Unix-domain socket on
 * the connection's own event loop, confirms the channel once connected, and bridges socket and channel with
 * {@link SocketChannelBridge}.
 *
 * <p>Answers as sshd does: a refusal by policy (DisableForwarding, AllowStreamLocalForwarding, or the key's
 * {@code no-port-forwarding}) is ADMINISTRATIVELY_PROHIBITED "open failed", logged with the user, the client's
 * address and the rule; a failed connect is CONNECT_FAILED with the system's words ("No such
 * file or directory", "Connection refused"). Unix-domain sockets need Netty's native epoll transport; without it
 * every open is refused with CONNECT_FAILED saying so. Register it for {@link DirectStreamLocal#CHANNEL_TYPE} on a
 * server's {@code ConnectionHandler}.
 */
public final class DirectStreamLocalHandler implements ChannelOpenHandler {
    private static final Logger log = LoggerFactory.getLogger(DirectStreamLocalHandler.class);

    /** The channel type this handler is for, to register it under. */
    public static final String CHANNEL_TYPE = DirectStreamLocal.CHANNEL_TYPE;

    private final Function<SshConnection, ForwardingPolicy> policies;
    private final Function<SshConnection, AllowStreamLocalForwarding> allowed;

    /** A handler with sshd's other defaults: only {@code allow} and the key's options restrict. */
    public DirectStreamLocalHandler(AllowStreamLocalForwarding allow) {
        this(connection -> ForwardingPolicy.DEFAULT, allow);
    }

    /**
     * @param policies the forwarding policy of a connection (its DisableForwarding counts here, Match blocks
     *        included), asked at each open
     * @param allow AllowStreamLocalForwarding
     */
    public DirectStreamLocalHandler(Function<SshConnection, ForwardingPolicy> policies,
            AllowStreamLocalForwarding allow) {
        this(policies, connection -> allow);
    }

    /**
     * @param policies the forwarding policy of a connection (its DisableForwarding counts here), asked at each open
     * @param allowed AllowStreamLocalForwarding of a connection (sshd's Match blocks), asked at each open
     */
    public DirectStreamLocalHandler(Function<SshConnection, ForwardingPolicy> policies,
            Function<SshConnection, AllowStreamLocalForwarding> allowed) {
        this.policies = policies;
        this.allowed = allowed;
    }

    @Override
    public void onOpen(ChannelOpenRequest request) {
        DirectStreamLocal target = DirectStreamLocal.decode(request.typeSpecificData()); // malformed: PROTOCOL_ERROR
        SshConnection connection = request.connection();
        ForwardingUser user = ForwardingUser.of(connection);
        AllowStreamLocalForwarding allow = allowed.apply(connection);
        // sshd's rule: DisableForwarding, AllowStreamLocalForwarding, and the key's no-port-forwarding (or restrict)
        // covers sockets too.
        String rule = policies.apply(connection).disableForwarding() ? "DisableForwarding yes"
                : !allow.allowsLocal() ? "AllowStreamLocalForwarding " + allow.name().toLowerCase(Locale.ROOT)
                : !user.restrictions().portForwarding() ? "no-port-forwarding" : null;
        if (rule != null) {
            log.info("refused streamlocal port forward: originator 127.0.0.1 port 65535, target path {}"
                    + " (user {} from {}: {})", target.socketPath(), user.name(), ServerForwards.peer(connection),
                    rule);
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        log.debug("channel {}: direct-streamlocal to {}", request.localId(), target.socketPath());
        OutboundConnect.connectPath(request, target.socketPath());
    }
}
