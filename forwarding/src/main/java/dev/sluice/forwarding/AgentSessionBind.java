package dev.sluice.forwarding;

import dev.sluice.transport.TransportSession;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ssh says first on each forwarded agent connection (PROTOCOL.agent section 1): {@code session-bind@openssh.com}
 * with the SSH connection's host key, session identifier and the host's signature of it, {@code is_forwarding} true,
 * so that the agent can apply the destination constraints of {@code ssh-add -h}. It then waits for the agent's one
 * answer, whatever it says (ssh ignores it too; an older agent answers failure), and hands the socket to the
 * {@link SocketChannelBridge}, which replaces it in the pipeline.
 */
final class AgentSessionBind extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AgentSessionBind.class);
    private static final int SSH_AGENTC_EXTENSION = 27;
    /** An agent's answer is a few bytes; anything longer is not an answer to this. */
    private static final int MAX_ANSWER = 1024;

    private final byte[] message;
    private final SocketChannelBridge bridge;
    private final Runnable onBound;
    private final Runnable onFailed;
    private ByteBuf answer;
    private boolean done;

    /**
     * @param onBound called once the agent answered and the bridge is in place
     * @param onFailed called when the agent closed or failed first
     */
    private AgentSessionBind(byte[] message, SocketChannelBridge bridge, Runnable onBound, Runnable onFailed) {
        this.message = message;
        this.bridge = bridge;
        this.onBound = onBound;
        this.onFailed = onFailed;
    }

    /**
     * The handler for a client connection whose first key exchange is known, or null (no binding possible: the
     * bridge goes in directly).
     */
    static AgentSessionBind forConnection(TransportSession session, SocketChannelBridge bridge, Runnable onBound,
            Runnable onFailed) {
        if (session == null || session.initialHostKey().length == 0) {
            return null;
        }
        byte[] body = SshWriter.heap().writeByte(SSH_AGENTC_EXTENSION).writeUtf8("session-bind@openssh.com")
                .writeBytes(session.initialHostKey()).writeBytes(session.sessionId())
                .writeBytes(session.initialHostKeySignature()).writeBoolean(true).toByteArray();
        byte[] message = SshWriter.heap().writeBytes(body).toByteArray();
        return new AgentSessionBind(message, bridge, onBound, onFailed);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        answer = ctx.alloc().heapBuffer(64, MAX_ANSWER + 4);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(message));
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf b && !done) {
                if (answer.writableBytes() < b.readableBytes()) {
                    fail(ctx, "an answer longer than " + MAX_ANSWER + " bytes");
                    return;
                }
                answer.writeBytes(b);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (answer.readableBytes() >= 4 && answer.readableBytes() >= 4 + answer.getInt(0)) {
            done = true;
            log.debug("bound agent to hostkey ({} answered {})", ctx.channel().remoteAddress(),
                    answer.readableBytes() > 4 ? answer.getByte(4) : -1);
            ctx.pipeline().replace(this, "bridge", bridge);
            onBound.run();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the agent closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (!done) {
            done = true;
            log.debug("session-bind@openssh.com failed: {}", why);
            ctx.close();
            onFailed.run();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        answer.release();
    }
}
