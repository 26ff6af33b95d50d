package dev.sluice.benchmarks.channels;

import dev.sluice.connection.NettyTransports;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;

/**
 * The far end of {@link ManyChannelsBenchmark}'s connections, in a process of its own so that the driver's and the
 * target's sockets do not share one file-descriptor limit: echoes everything back. Prints
 * {@code listening on 127.0.0.1:PORT} once bound, then serves until killed.
 */
public final class EchoTarget {
    private EchoTarget() {
    }

    public static void main(String[] args) throws InterruptedException {
        EventLoopGroup group = NettyTransports.newEventLoopGroup(1, "echo-target");
        Channel listener = NettyTransports.serverBootstrap(group, group)
                .childHandler(new Echo())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        System.out.println("listening on 127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort());
        System.out.flush();
        listener.closeFuture().sync();
    }

    /** Writes back what it reads, flushing once per read burst. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
