package dev.sluice.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol version exchange of RFC 4253 section 4.2: sends our identification line when the socket becomes
 * active, reads the peer's, then removes itself so the packet decoder behind it receives the bytes that followed.
 *
 * <p>A server may send other lines before its version line; a client may not (as OpenSSH's sshd). Lines are capped at
 * 255 bytes and at most {@value #MAX_PRE_VERSION_LINES} lines are accepted before the version (OpenSSH's limits), so
 * a peer that sends garbage costs bounded memory. On failure it writes OpenSSH's short text reply (only a server does),
 * logs why and closes: no binary DISCONNECT can be sent before both versions are known.
 */
final class VersionExchangeHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(VersionExchangeHandler.class);
    static final int MAX_LINE = 255;
    static final int MAX_PRE_VERSION_LINES = 1024;

    private final TransportSession session;
    private int linesSeen;
    private boolean sent;
    private boolean failed;

    VersionExchangeHandler(TransportSession session) {
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        sendVersion(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            sendVersion(ctx);
        }
    }

    private void sendVersion(ChannelHandlerContext ctx) {
        if (!sent) {
            sent = true;
            LOG.debug("Local version string {}", session.localVersion());
            ctx.writeAndFlush(Unpooled.copiedBuffer(session.localVersion() + "\r\n", StandardCharsets.US_ASCII));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            int eol = in.indexOf(in.readerIndex(), in.readerIndex() + Math.min(in.readableBytes(), MAX_LINE), (byte) '\n');
            if (eol < 0) {
                if (in.readableBytes() >= MAX_LINE) {
                    fail(ctx, "identification line too long");
                }
                return;
            }
            int len = eol - in.readerIndex();
            String line = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
            in.skipBytes(len + 1);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.startsWith("SSH-")) {
                accept(ctx, line);
                return;
            }
            if (session.role() == Role.SERVER) {
                fail(ctx, "client sent invalid protocol identifier \"" + printable(line) + "\"");
                return;
            }
            if (++linesSeen > MAX_PRE_VERSION_LINES) {
                fail(ctx, "banner line limit exceeded");
                return;
            }
            LOG.debug("{}: pre-version line from server: {}", ctx.channel().remoteAddress(), printable(line));
        }
    }

    private void accept(ChannelHandlerContext ctx, String line) {
        if (!(line.startsWith("SSH-2.0-") || line.startsWith("SSH-1.99-"))) {
            fail(ctx, "Protocol major versions differ: " + printable(line));
            return;
        }
        session.peerVersion(line);
        // OpenSSH's words: "SSH-2.0-softwareversion comments" gives protocol 2.0 and the rest.
        String rest = line.substring(line.indexOf('-', 4) + 1);
        LOG.debug("Remote protocol version {}, remote software version {}",
                line.substring(4, line.indexOf('-', 4)), rest);
        ctx.pipeline().remove(this);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        failed = true;
        LOG.info("kex_exchange_identification: {} from {}", why, ctx.channel().remoteAddress());
        if (session.role() == Role.SERVER) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("Invalid SSH identification string.\r\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
        session.closedIfUnset(new TransportClosed(DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED,
                "kex_exchange_identification: " + why, true));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
