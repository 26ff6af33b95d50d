package dev.sluice.transport;

import dev.sluice.transport.message.Disconnect;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every SSH pipeline: turns an exception from any layer into the connection's end. An
 * {@link SshException} (possibly wrapped by a decoder) becomes SSH_MSG_DISCONNECT with its reason and text, a log line
 * naming the peer, and a close; an I/O error closes quietly; anything else is a bug, logged with its stack trace and
 * answered with BY_APPLICATION. Only the first error of a connection is acted on.
 */
final class DisconnectOnErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DisconnectOnErrorHandler.class);

    private final TransportSession session;
    private boolean disconnecting;

    DisconnectOnErrorHandler(TransportSession session) {
        this.session = session;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (disconnecting) {
            LOG.debug("{}: further error while disconnecting", ctx.channel().remoteAddress(), cause);
            return;
        }
        disconnecting = true;
        SshException ssh = findSshException(cause);
        if (ssh == null && isIo(cause)) {
            LOG.debug("{}: connection error: {}", ctx.channel().remoteAddress(), cause.toString());
            session.closedIfUnset(new TransportClosed(DisconnectReason.CONNECTION_LOST, cause.getMessage(), true));
            ctx.close();
            return;
        }
        if (ssh == null) {
            LOG.error("{}: internal error, disconnecting", ctx.channel().remoteAddress(), cause);
            ssh = new SshException(DisconnectReason.BY_APPLICATION, "internal error");
        } else {
            LOG.info("Disconnecting {} port {}: {} ({})", session.peerHost(), session.peerPort(), ssh.getMessage(),
                    ssh.reason());
        }
        session.closedIfUnset(new TransportClosed(ssh.reason(), ssh.getMessage(), true));
        if (session.peerVersion() == null || !ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new Disconnect(ssh.reason(), ssh.getMessage(), "").toPayload(ctx.alloc()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    static SshException findSshException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SshException) {
                return (SshException) c;
            }
        }
        return null;
    }

    private static boolean isIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
