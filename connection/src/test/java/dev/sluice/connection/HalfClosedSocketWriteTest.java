package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A socket whose peer has half-closed (FIN) must still be writable through epoll: Netty 4.2.18 drops the fd from the
 * epoll set once it is interested in nothing (input done, no read requested, output drained) but keeps treating it as
 * registered, so the next write that fills the socket buffer fails with {@code epoll_ctl(..) failed with error(-2)}
 * and the tail of the data is lost. This is the forwarding bridge's situation: AUTO_READ off, half-closure allowed,
 * a reply written after the request's EOF to a reader slower than the sender.
 */
final class HalfClosedSocketWriteTest {
    private static final int REPLY = 4 * 1024 * 1024;
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        assumeTrue(NettyTransports.nativeAvailable(), "the bug and its fix are in the epoll transport");
        group = NettyTransports.newEventLoopGroup(1, "half-closed-test");
    }

    @AfterAll
    static void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void replyWrittenAfterPeerEofArrivesWholeWhenTheReaderIsSlow() throws Exception {
        EventLoop loop = group.next();
        CompletableFuture<Throwable> writeOutcome = new CompletableFuture<>();
        Channel server = NettyTransports.serverBootstrap(loop)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childHandler(new ReplyAfterEof(writeOutcome))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(16 * 1024);
            client.connect(server.localAddress());
            OutputStream out = client.getOutputStream();
            out.write("request".getBytes());
            client.shutdownOutput();
            // Let the server see the FIN and settle (its epoll interest goes empty) before the reply is written,
            // and read slowly at first so that the reply needs EPOLLOUT.
            Thread.sleep(100);
            InputStream in = client.getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
            assertThat(writeOutcome.get(10, TimeUnit.SECONDS)).as("failure of the reply's write").isNull();
            assertThat(total).isEqualTo(REPLY);
        } finally {
            server.close().sync();
        }
    }

    /** Reads the request to its EOF, then (a moment later, as a forwarded reply would) writes the reply and shuts. */
    private static final class ReplyAfterEof extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Throwable> writeOutcome;

        ReplyAfterEof(CompletableFuture<Throwable> writeOutcome) {
            this.writeOutcome = writeOutcome;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.executor().schedule(() -> {
                    ChannelFuture f = ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[REPLY]));
                    f.addListener(done -> {
                        writeOutcome.complete(done.cause());
                        ctx.close();
                    });
                }, 20, TimeUnit.MILLISECONDS);
            }
            ReferenceCountUtil.release(evt);
        }
    }
}
