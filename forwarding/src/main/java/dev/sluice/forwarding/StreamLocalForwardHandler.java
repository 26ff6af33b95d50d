package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.InboundGlobalRequest;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.ForwardedStreamLocal;
import dev.sluice.connection.message.StreamLocalForward;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of remote Unix-domain socket forwarding (OpenSSH's PROTOCOL section 2.4, the client's
 * {@code ssh -R /remote/socket:…}): {@code streamlocal-forward@openssh.com} checks the policy, listens on the path
 * with StreamLocalBindMask and StreamLocalBindUnlink on the connection's own event loop, and opens a
 * {@code forwarded-streamlocal@openssh.com} channel for every accepted connection, bridged by
 * {@link SocketChannelBridge}; {@code cancel-streamlocal-forward@openssh.com} closes the listener again. The
 * listeners close when the SSH connection ends, and the socket file is removed with them (sshd leaves it behind,
 * which is why its users need StreamLocalBindUnlink); connections already forwarded continue until they end.
 *
 * <p>The policy is sshd's ({@code server_input_global_request}): DisableForwarding, AllowStreamLocalForwarding
 * without {@code remote}, and the key's {@code no-port-forwarding} (or {@code restrict}) refuse; PermitListen does not
 * apply to paths. A refusal, or a path that cannot be bound (it exists and StreamLocalBindUnlink is off), is
 * REQUEST_FAILURE, on which ssh prints "remote port forwarding failed for listen path PATH", and a log line with the
 * user, the client's address and the rule. Needs Netty's native epoll transport. Register it with
 * {@link #handlers()}; stateless: one instance serves every connection.
 */
public final class StreamLocalForwardHandler implements GlobalRequestHandler {
    private static final Logger log = LoggerFactory.getLogger(StreamLocalForwardHandler.class);
    /** How a path forwarding is keyed in {@link ServerForwards}: OpenSSH's PORT_STREAMLOCAL. */
    static final int PORT_STREAMLOCAL = -2;

    private final Function<SshConnection, ForwardingPolicy> policies;
    private final Function<SshConnection, StreamLocalPolicy> streamLocals;

    /**
     * @param policies the forwarding policy of a connection (its DisableForwarding counts here), asked at each request
     * @param streamLocal AllowStreamLocalForwarding, StreamLocalBindMask and StreamLocalBindUnlink
     */
    public StreamLocalForwardHandler(Function<SshConnection, ForwardingPolicy> policies,
            StreamLocalPolicy streamLocal) {
        this(policies, connection -> streamLocal);
    }

    /**
     * @param policies the forwarding policy of a connection (its DisableForwarding counts here), asked at each request
     * @param streamLocals the StreamLocal settings of a connection (sshd's Match blocks), asked at each request
     */
    public StreamLocalForwardHandler(Function<SshConnection, ForwardingPolicy> policies,
            Function<SshConnection, StreamLocalPolicy> streamLocals) {
        this.policies = policies;
        this.streamLocals = streamLocals;
    }

    /** A handler with one forwarding policy for all connections. */
    public StreamLocalForwardHandler(ForwardingPolicy policy, StreamLocalPolicy streamLocal) {
        this(connection -> policy, streamLocal);
    }

    /** This handler under both request names, for {@code SshServer.Config.globalRequestHandlers}. */
    public Map<String, GlobalRequestHandler> handlers() {
        return Map.of(StreamLocalForward.REQUEST, this, StreamLocalForward.CANCEL, this);
    }

    @Override
    public void onRequest(InboundGlobalRequest request) {
        StreamLocalForward f = StreamLocalForward.decode(request.requestData()); // malformed: PROTOCOL_ERROR
        if (request.requestName().equals(StreamLocalForward.CANCEL)) {
            boolean found = ServerForwards.of(request.connection())
                    .cancel(new ServerForwards.Key(f.socketPath(), PORT_STREAMLOCAL));
            log.debug("cancel-streamlocal-forward path {}: {}", f.socketPath(),
                    found ? "cancelled" : "no such forwarding");
            if (found) {
                request.succeed(new byte[0]);
            } else {
                request.fail();
            }
            return;
        }
        forward(request, f.socketPath());
    }

    private void forward(InboundGlobalRequest request, String path) {
        SshConnection connection = request.connection();
        ForwardingUser user = ForwardingUser.of(connection);
        StreamLocalPolicy streamLocal = streamLocals.apply(connection);
        Optional<String> refusal = refusal(policies.apply(connection), streamLocal, user);
        if (refusal.isPresent()) {
            log.info("refused streamlocal-forward: listen path {} (user {} from {}: {})", path, user.name(),
                    ServerForwards.peer(connection), refusal.get());
            request.fail();
            return;
        }
        log.debug("streamlocal-forward listen path {}", path);
        ServerForwards.Key key = new ServerForwards.Key(path, PORT_STREAMLOCAL);
        ForwardListeners.bindPath(connection.eventLoop(), path, streamLocal.bindMask(), streamLocal.bindUnlink(),
                new Acceptor(connection, path)).addListener(b -> {
                    if (!b.isSuccess()) {
                        log.info("{} (user {} from {})", b.cause().getMessage(), user.name(),
                                ServerForwards.peer(connection));
                        request.fail();
                        return;
                    }
                    Channel listener = (Channel) b.getNow();
                    if (!connection.parent().isActive() || !ServerForwards.of(connection).add(key, List.of(listener))) {
                        listener.close();
                        request.fail();
                        return;
                    }
                    log.debug("streamlocal-forward listening on path {} for {}", path, connection.user());
                    request.succeed(new byte[0]);
                });
    }

    /** sshd's checks for {@code streamlocal-forward}, the rule that refuses or empty. */
    private static Optional<String> refusal(ForwardingPolicy policy, StreamLocalPolicy streamLocal,
            ForwardingUser user) {
        if (policy.disableForwarding()) {
            return Optional.of("DisableForwarding yes");
        }
        if (!streamLocal.allow().allowsRemote()) {
            return Optional.of("AllowStreamLocalForwarding "
                    + streamLocal.allow().name().toLowerCase(Locale.ROOT));
        }
        if (!user.restrictions().portForwarding()) {
            return Optional.of("no-port-forwarding");
        }
        return Optional.empty();
    }

    /** Opens a {@code forwarded-streamlocal} channel for each accepted socket; it reads nothing until open. */
    private static final class Acceptor extends ChannelInitializer<Channel> {
        private final SshConnection connection;
        private final String path;

        Acceptor(SshConnection connection, String path) {
            this.connection = connection;
            this.path = path;
        }

        @Override
        protected void initChannel(Channel socket) {
            SocketChannelBridge bridge = new SocketChannelBridge();
            socket.pipeline().addLast("bridge", bridge);
            connection.openChannel(ForwardedStreamLocal.CHANNEL_TYPE, new ForwardedStreamLocal(path).encode(), bridge)
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            Throwable cause = f.cause();
                            if (cause instanceof ChannelOpenException e) {
                                log.info("channel {}: open failed: {}", e.localId(), e.getMessage());
                            } else {
                                log.info("forwarded-streamlocal channel for {} failed: {}", path, cause.toString());
                            }
                            socket.close();
                        } else if (log.isDebugEnabled()) {
                            log.debug("channel {}: connection on {} forwarded to the client",
                                    ((SshChannel) f.getNow()).localId(), path);
                        }
                    });
        }
    }
}
