package dev.sluice.connection;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keepalives, as OpenSSH's ServerAliveInterval/ServerAliveCountMax (client) and ClientAliveInterval/ClientAliveCountMax
 * (server): after an interval in which not one byte came from the peer, send a {@code keepalive@openssh.com} global
 * request that wants a reply; a reply to it (OpenSSH answers REQUEST_FAILURE) clears the count of unanswered ones
 * (OpenSSH clears it on a reply to any request; replies come in order, so this is at most one reply later). When
 * one more silent interval passes with the count at its maximum, the peer is taken for dead: the connection closes
 * without a DISCONNECT (the peer would not read it), logging ssh's "Timeout, server HOST not responding." or sshd's
 * "Timeout, client not responding from user USER ADDR port N", and the {@link TransportSession} records the reason
 * (CONNECTION_LOST) for the command to print. Every channel, and so every forward, ends with the connection.
 *
 * <p>It sits first in the pipeline, so every read from the socket (transport messages included, as in OpenSSH,
 * which watches the socket) restarts the interval. Timers run on the connection's event loop (Netty's
 * {@link IdleStateHandler}); there is no other thread. Installed once authentication succeeds, as OpenSSH's client
 * and server loops start only then. Unlike sshd, which probes through an open channel when it has one, both roles
 * send the global request; OpenSSH's ssh answers either.
 */
final class KeepAliveHandler extends IdleStateHandler {
    private static final Logger log = LoggerFactory.getLogger(KeepAliveHandler.class);

    /** The request OpenSSH sends; it means nothing but "reply". */
    static final String REQUEST = "keepalive@openssh.com";

    private static final byte[] NO_DATA = new byte[0];

    private final SshConnection connection;
    private final TransportSession session;
    private final int countMax;
    /** sshd: ClientAliveCountMax 0 keeps probing without ever giving up; ssh's 0 gives up at the first silence. */
    private final boolean neverGiveUp;
    private final String timeoutMessage;
    /** Keepalives sent since the last reply. */
    private int unanswered;

    KeepAliveHandler(SshConnection connection, TransportSession session, ConnectionConfig config) {
        super(false, config.keepAliveInterval().toNanos(), 0, 0, TimeUnit.NANOSECONDS);
        this.connection = connection;
        this.session = session;
        this.countMax = config.keepAliveCountMax();
        boolean server = session.role() == Role.SERVER;
        this.neverGiveUp = server && countMax == 0;
        this.timeoutMessage = server
                ? "Timeout, client not responding from user " + connection.user() + " " + session.peerHost()
                        + " port " + session.peerPort()
                : "Timeout, server " + session.peerHost() + " not responding.";
    }

    /**
     * Puts keepalives at the front of {@code ssh}'s pipeline if {@code config} asks for them; call on the loop once
     * authenticated.
     */
    static void installIfEnabled(Channel ssh, SshConnection connection, ConnectionConfig config) {
        if (!config.keepAliveInterval().isZero() && ssh.isActive()) {
            ssh.pipeline().addFirst("keepalive", new KeepAliveHandler(connection, TransportSession.of(ssh), config));
        }
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() != IdleState.READER_IDLE || !ctx.channel().isActive()) {
            return;
        }
        if (!neverGiveUp && ++unanswered > countMax) {
            log.info(timeoutMessage);
            session.closedIfUnset(new TransportClosed(DisconnectReason.CONNECTION_LOST, timeoutMessage, true));
            ctx.channel().close();
            return;
        }
        log.debug("sending {} to {} port {}", REQUEST, session.peerHost(), session.peerPort());
        connection.sendGlobalRequest(REQUEST, true, NO_DATA).addListener(f -> {
            if (f.isSuccess()) {
                unanswered = 0; // REQUEST_SUCCESS or REQUEST_FAILURE: either says the peer is there
            }
        });
    }

    /** Keepalives sent and not yet answered, for tests. */
    int unanswered() {
        return unanswered;
    }
}
