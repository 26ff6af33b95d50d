package dev.sluice.forwarding;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SOCKS server on one socket accepted by a {@link DynamicPortForwarder}: runs the {@link SocksServerHandshake},
 * opens a {@code direct-tcpip} channel to the requested host and port, answers the SOCKS client with the outcome,
 * then hands the socket to a {@link SocketChannelBridge} and forwards the channel's events to it.
 *
 * <p>The socket has AUTO_READ off; it is read only while the handshake is incomplete, and at most
 * {@link SocksServerHandshake#MAX_HANDSHAKE_BYTES} plus one read are buffered. A client that has not completed its
 * request within the handshake timeout is disconnected. A refused channel becomes the SOCKS failure reply that
 * {@link SocksReply#forOpenFailure} chooses, then the socket closes. Runs on the connection's event loop.
 */
final class SocksServerHandler extends ChannelInboundHandlerAdapter implements ChannelListener {
    private static final Logger log = LoggerFactory.getLogger(SocksServerHandler.class);

    private final SshConnection connection;
    private final long handshakeTimeoutMillis;
    private final SocksServerHandshake handshake = new SocksServerHandshake();
    private final SocketChannelBridge bridge = new SocketChannelBridge();
    private ChannelHandlerContext ctx;
    /** Bytes read and not yet consumed by the handshake; after the request, data the client sent ahead. */
    private ByteBuf input;
    private ScheduledFuture<?> timeout;
    private SocksRequest request;
    private boolean inputShutdown;

    /**
     * @param connection the SSH connection to open channels on, on whose event loop the socket runs
     * @param handshakeTimeoutMillis how long a client may take to send its complete request
     */
    SocksServerHandler(SshConnection connection, long handshakeTimeoutMillis) {
        this.connection = connection;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (timeout != null) {
            return;
        }
        timeout = ctx.executor().schedule(() -> {
            log.info("SOCKS client {}: no complete request after {} ms, closing", ctx.channel().remoteAddress(),
                    handshakeTimeoutMillis);
            ctx.close();
        }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        input = input == null ? data : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), input, data);
        if (request != null) {
            return; // data after the request (epoll reads at once on a FIN): kept for the channel
        }
        ByteBuf out = ctx.alloc().buffer(2);
        try {
            request = handshake.decode(input, out);
        } catch (SocksException e) {
            // What was answered before the bad message (a SOCKS5 method selection) goes out first.
            refuse(e.getMessage(), out.writeBytes(e.reply()));
            return;
        }
        if (out.isReadable()) {
            ctx.writeAndFlush(out);
        } else {
            out.release();
        }
        if (request != null) {
            timeout.cancel(false);
            open(request);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (request == null && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (request == null) {
                log.debug("SOCKS client {} closed before completing its request", ctx.channel().remoteAddress());
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (input != null) {
            input.release();
            input = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("SOCKS client {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Sends {@code reply} (released here) if it has anything, then closes. */
    private void refuse(String why, ByteBuf reply) {
        log.info("SOCKS client {}: {}", ctx.channel().remoteAddress(), why);
        if (reply.isReadable()) {
            ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        } else {
            reply.release();
            ctx.close();
        }
    }

    private void open(SocksRequest r) {
        InetSocketAddress from = (InetSocketAddress) ctx.channel().remoteAddress();
        byte[] data = new DirectTcpip(r.host(), r.port(), from.getAddress().getHostAddress(), from.getPort())
                .encode();
        log.debug("SOCKS{} client {} port {}: connect to {} port {}", r.version(), from.getAddress().getHostAddress(),
                from.getPort(), r.host(), r.port());
        connection.openChannel(DirectTcpip.CHANNEL_TYPE, data, this).addListener(f -> {
            if (f.isSuccess()) {
                return;
            }
            SocksReply reply;
            if (f.cause() instanceof ChannelOpenException e) {
                log.info("channel {}: open failed: {}", e.localId(), e.getMessage());
                reply = SocksReply.forOpenFailure(e.reasonCode(), e.description());
            } else {
                log.info("direct-tcpip channel for {} failed: {}", from, f.cause().toString());
                reply = SocksReply.GENERAL_FAILURE;
            }
            if (ctx.channel().isActive()) {
                ByteBuf out = ctx.alloc().buffer(10);
                handshake.writeReply(reply, out);
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    // ---- the channel's events: answer the client, then the bridge takes over ------------------------------------

    @Override
    public void onOpen(SshChannel channel) {
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            channel.close();
            return;
        }
        ByteBuf reply = ctx.alloc().buffer(10);
        handshake.writeReply(SocksReply.SUCCEEDED, reply);
        ctx.writeAndFlush(reply);
        ByteBuf ahead = input;
        input = null;
        // The reply goes out before anything the channel delivers, which the bridge writes from now on.
        ctx.pipeline().replace(this, "bridge", bridge);
        if (ahead.isReadable()) {
            bridge.channelRead(ctx.pipeline().context(bridge), ahead);
        } else {
            ahead.release();
        }
        if (inputShutdown) {
            bridge.userEventTriggered(ctx.pipeline().context(bridge), ChannelInputShutdownEvent.INSTANCE);
        }
        bridge.onOpen(channel);
    }

    @Override
    public void onData(SshChannel channel, ByteBuf data) {
        bridge.onData(channel, data);
    }

    @Override
    public void onEof(SshChannel channel) {
        bridge.onEof(channel);
    }

    @Override
    public void onClose(SshChannel channel) {
        bridge.onClose(channel);
    }

    @Override
    public void onWritabilityChanged(SshChannel channel) {
        bridge.onWritabilityChanged(channel);
    }

    @Override
    public boolean onRequest(SshChannel channel, ChannelRequest request) {
        return bridge.onRequest(channel, request);
    }
}
