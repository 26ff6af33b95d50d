package dev.sluice.forwarding;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.ConnectionHandler;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshConnection;
import dev.sluice.transport.message.DirectPayload;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Two ConnectionHandlers talking over a real loopback TCP connection with a trivial framing (a length in front of
 * each payload) in place of the SSH transport: the real handlers, sockets and event loops, without crypto. Each side
 * ends its pipeline with a tail that records exceptions and closes, as the transport's tail handler will.
 */
final class SshPair implements AutoCloseable {
    final EventLoopGroup group;
    final ConnectionHandler clientHandler;
    final ConnectionHandler serverHandler;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Channel listener;
    private final Channel clientSocket;

    private SshPair(EventLoopGroup group, ConnectionConfig config, Map<String, ChannelOpenHandler> serverHandlers,
            Map<String, GlobalRequestHandler> serverGlobalHandlers) throws InterruptedException {
        this.group = group;
        this.clientHandler = new ConnectionHandler(config);
        this.serverHandler = new ConnectionHandler(config, serverHandlers, serverGlobalHandlers);
        listener = NettyTransports.serverBootstrap(group, group)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, NettyTransports.SSH_WATER_MARK)
                .childHandler(pipeline(serverHandler))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        // The client's SSH socket on another loop than the server's, as two processes would be.
        clientSocket = NettyTransports.bootstrap(group.next())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, NettyTransports.SSH_WATER_MARK)
                .handler(pipeline(clientHandler))
                .connect(listener.localAddress()).sync().channel();
        // Wait until the server side is in place too.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (serverSocketReady == null && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private volatile Channel serverSocketReady;
    private volatile boolean closing;

    static SshPair start(ConnectionConfig config, ForwardingPolicy policy) throws InterruptedException {
        EventLoopGroup group = NettyTransports.newEventLoopGroup(2, "sshpair");
        return new SshPair(group, config, Map.of("direct-tcpip", new DirectTcpipHandler(policy)),
                new TcpipForwardHandler(policy).handlers());
    }

    /** A pair whose server handles the given channel types. */
    static SshPair start(ConnectionConfig config, Map<String, ChannelOpenHandler> serverHandlers)
            throws InterruptedException {
        EventLoopGroup group = NettyTransports.newEventLoopGroup(2, "sshpair");
        return new SshPair(group, config, serverHandlers, Map.of());
    }

    /** A pair whose server handles the given channel types and global requests. */
    static SshPair start(ConnectionConfig config, Map<String, ChannelOpenHandler> serverHandlers,
            Map<String, GlobalRequestHandler> serverGlobalHandlers) throws InterruptedException {
        EventLoopGroup group = NettyTransports.newEventLoopGroup(2, "sshpair");
        return new SshPair(group, config, serverHandlers, serverGlobalHandlers);
    }

    SshConnection client() {
        return clientHandler.connection();
    }

    SshConnection server() {
        return serverHandler.connection();
    }

    private ChannelInitializer<Channel> pipeline(ConnectionHandler handler) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                        new LengthFieldPrepender(4), new DirectPayloadEncoder(), handler, new Tail());
                if (handler == serverHandler) {
                    serverSocketReady = ch;
                }
            }
        };
    }

    /** Does the packet encoder's part for {@link DirectPayload}s: the payload written into one buffer. */
    private static final class DirectPayloadEncoder extends MessageToMessageEncoder<DirectPayload> {
        @Override
        protected void encode(ChannelHandlerContext ctx, DirectPayload msg, List<Object> out) {
            ByteBuf b = ctx.alloc().buffer(msg.payloadLength());
            msg.writePayload(b);
            out.add(b);
        }
    }

    private final class Tail extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Closing one end with a CHANNEL_CLOSE still in flight may reset the other: not an error of the test.
            if (!(closing && cause instanceof IOException)) {
                errors.add(cause);
            }
            ctx.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            errors.add(new AssertionError("message reached the tail: " + msg));
        }
    }

    /** Closes the client's SSH socket (the server sees the connection drop). */
    void closeConnection() throws InterruptedException {
        clientSocket.close().sync();
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        clientSocket.close().sync();
        listener.close().sync();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }
}
