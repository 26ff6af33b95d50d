package dev.sluice.interop;

import dev.sluice.connection.NettyTransports;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.transport.KeyExchangeCompleted;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An SSH client made of Sluice's own transport layer and nothing above it: it exchanges keys like any client, then
 * sends whatever payloads a test gives it, optionally with one bit of the encrypted packet flipped on the wire. For
 * bad-input tests that need keys in place: a corrupted packet (MAC error), a message the server must not accept
 * before authentication.
 *
 * <p>Payloads the server sends after key exchange (EXT_INFO, replies) are released unread. Its own errors end the
 * connection through the transport's usual tail handler.
 */
final class TransportProbe implements AutoCloseable {
    private final Channel channel;
    private final TransportSession session;
    private final Promise<KeyExchangeCompleted> keyExchange;
    private final Corrupter corrupter;

    private TransportProbe(Channel channel, TransportSession session, Promise<KeyExchangeCompleted> keyExchange,
            Corrupter corrupter) {
        this.channel = channel;
        this.session = session;
        this.keyExchange = keyExchange;
        this.corrupter = corrupter;
    }

    /** Connects to {@code 127.0.0.1:port} on {@code loop}, offering only {@code cipher}. */
    static TransportProbe connect(EventLoop loop, int port, TunnelCipher cipher) {
        TransportConfig config = TransportConfig.defaults().withCiphers(List.of(cipher.wireName));
        Promise<KeyExchangeCompleted> kex = loop.newPromise();
        Corrupter corrupter = new Corrupter();
        TransportSession[] session = new TransportSession[1];
        Channel ch = NettyTransports.bootstrap(loop)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TransportSession s = TransportPipeline.install(ch.pipeline(), Role.CLIENT, config);
                        s.peer(TcpPorts.loopback().getHostAddress(), port);
                        session[0] = s;
                        // First in the pipeline, so it sees each packet last: sealed, as it goes on the wire.
                        ch.pipeline().addFirst("corrupter", corrupter);
                        ch.pipeline().addLast("probe", new Tail(kex));
                        ch.pipeline().addLast("disconnect-on-error", TransportPipeline.newDisconnectOnErrorHandler(s));
                    }
                })
                .connect(TcpPorts.loopback(), port).syncUninterruptibly().channel();
        return new TransportProbe(ch, session[0], kex, corrupter);
    }

    /** Waits for the first key exchange to finish in both directions. */
    KeyExchangeCompleted awaitKeyExchange(Duration timeout) {
        if (!keyExchange.awaitUninterruptibly(timeout.toMillis())) {
            throw new AssertionError("key exchange not finished within " + timeout);
        }
        if (!keyExchange.isSuccess()) {
            throw new AssertionError("key exchange failed: " + session.closed().orElse(null), keyExchange.cause());
        }
        return keyExchange.getNow();
    }

    /** Sends one payload (first byte: message number) in a packet; with {@code corrupt}, flips a bit of its body. */
    void send(byte[] payload, boolean corrupt) {
        channel.eventLoop().execute(() -> {
            corrupter.armed = corrupt;
            channel.writeAndFlush(Unpooled.wrappedBuffer(payload));
        });
    }

    /**
     * Waits for the connection to end and returns why, as this side's transport recorded it: a DISCONNECT received
     * ({@code local() == false}) or nothing (the server just closed).
     */
    Optional<TransportClosed> awaitClosed(Duration timeout) {
        if (!channel.closeFuture().awaitUninterruptibly(timeout.toMillis())) {
            throw new AssertionError("the server did not close the connection within " + timeout);
        }
        return session.closed();
    }

    /** Whether the connection is still open. */
    boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Flips one bit inside the body of the next sealed packet it is armed for, past the 4-byte length field. */
    private static final class Corrupter extends ChannelOutboundHandlerAdapter {
        boolean armed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (armed && msg instanceof ByteBuf packet && packet.readableBytes() > 12) {
                armed = false;
                int at = packet.readerIndex() + 8;
                packet.setByte(at, packet.getByte(at) ^ 0x01);
            }
            ctx.write(msg, promise);
        }
    }

    /** Completes the key exchange promise and releases every payload that reaches the top. */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        private final Promise<KeyExchangeCompleted> keyExchange;

        Tail(Promise<KeyExchangeCompleted> keyExchange) {
            this.keyExchange = keyExchange;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof KeyExchangeCompleted done) {
                keyExchange.trySuccess(done);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            keyExchange.tryFailure(new IllegalStateException("connection closed"));
            ctx.fireChannelInactive();
        }
    }
}
