package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.connection.message.OpenFailureReason;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code direct-tcpip} (RFC 4254 section 7.2, the client's {@code -L} and {@code -D}): checks the
 * {@link ForwardingPolicy} for the connection's {@link ForwardingUser}, connects to the requested host and port on
 * the connection's own event loop, confirms the channel once connected, and bridges socket and channel with
 * {@link SocketChannelBridge}.
 *
 * <p>Refusals are answered as OpenSSH's sshd answers them: a policy refusal is ADMINISTRATIVELY_PROHIBITED with the
 * text "open failed" (so ssh prints "administratively prohibited: open failed"); a failed connect is CONNECT_FAILED
 * with the system's words, e.g. "Connection refused", or "Name or service not known" for a name that does not
 * resolve. Each policy refusal is logged with sshd's line, followed by the user, the client's address and the rule
 * that refused. Register it for {@link DirectTcpip#CHANNEL_TYPE} on a server's {@code ConnectionHandler}.
 */
public final class DirectTcpipHandler implements ChannelOpenHandler {
    private static final Logger log = LoggerFactory.getLogger(DirectTcpipHandler.class);

    /** The policy for a connection: the same for all, or one per connection (sshd_config Match blocks). */
    private final Function<SshConnection, ForwardingPolicy> policies;

    public DirectTcpipHandler(ForwardingPolicy policy) {
        this(connection -> policy);
    }

    /** A handler whose policy depends on the connection (its user, address, local port), asked at each request. */
    public DirectTcpipHandler(Function<SshConnection, ForwardingPolicy> policies) {
        this.policies = policies;
    }

    @Override
    public void onOpen(ChannelOpenRequest request) {
        DirectTcpip target = DirectTcpip.decode(request.typeSpecificData()); // malformed: PROTOCOL_ERROR
        ForwardingUser user = ForwardingUser.of(request.connection());
        ForwardingPolicy policy = policies.apply(request.connection());
        String from = ServerForwards.peer(request.connection());
        long port = Integer.toUnsignedLong(target.port());
        Optional<String> refusal = policy.localForwardingRefusal(user);
        if (refusal.isPresent()) {
            log.info("refused local port forward: originator {} port {}, target {} port {} (user {} from {}: {})",
                    target.originatorAddress(), Integer.toUnsignedLong(target.originatorPort()), target.host(), port,
                    user.name(), from, refusal.get());
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        refusal = port > 65535 ? Optional.empty() : policy.permitOpenRefusal(user, target.host(), target.port());
        if (refusal.isPresent()) {
            log.info("Received request from {} to connect to host {} port {}, but the request was denied."
                    + " (user {}: {})", from, target.host(), port, user.name(), refusal.get());
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        if (port > 65535) {
            log.info("channel {}: invalid target port {}", request.localId(), port);
            request.reject(OpenFailureReason.CONNECT_FAILED, "open failed");
            return;
        }
        log.debug("channel {}: direct-tcpip to {} port {}, originator {} port {}", request.localId(), target.host(),
                target.port(), target.originatorAddress(), target.originatorPort());
        OutboundConnect.connect(request, target.host(), target.port());
    }
}
