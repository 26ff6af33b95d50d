package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty channel over an SSH channel that jump hosts run on: registration when the carrying channel opens,
 * writability that follows the carrying channel's, data both ways with credit, and closing in both directions.
 */
class SshTunnelChannelTest {
    private static final int KIB = 1024;

    private EmbeddedChannel parent;
    private Carrier carrier;
    private SshTunnelChannel tunnel;
    private final List<String> received = new ArrayList<>();
    private final List<Boolean> writability = new ArrayList<>();

    @BeforeEach
    void setUp() {
        parent = new EmbeddedChannel();
        Connection connection = new Connection(parent);
        carrier = new Carrier(connection);
        tunnel = new SshTunnelChannel(connection, "target.example", 22);
        tunnel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                received.add(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                writability.add(ctx.channel().isWritable());
            }
        });
    }

    @AfterEach
    void tearDown() {
        if (tunnel.isRegistered()) {
            tunnel.close();
            parent.runPendingTasks();
        }
        parent.finishAndReleaseAll();
    }

    @Test
    void itRegistersAndBecomesActiveWhenTheCarryingChannelOpens() {
        assertThat(tunnel.isRegistered()).isFalse();

        tunnel.onOpen(carrier);

        assertThat(tunnel.isRegistered()).isTrue();
        assertThat(tunnel.isActive()).isTrue();
        assertThat(tunnel.eventLoop()).isSameAs(parent.eventLoop());
        assertThat(tunnel.parent()).isSameAs(parent);
        assertThat(tunnel.remoteAddress().toString()).contains("target.example").contains("22");
    }

    @Test
    void dataFromTheCarrierGoesDownThePipelineAndIsCredited() {
        tunnel.onOpen(carrier);
        ByteBuf data = Unpooled.copiedBuffer("SSH-2.0-x\r\n", StandardCharsets.US_ASCII);

        tunnel.onData(carrier, data);
        data.release();

        assertThat(received).containsExactly("SSH-2.0-x\r\n");
        assertThat(carrier.consumed).isEqualTo(11);
    }

    @Test
    void writesWaitWhileTheCarrierIsNotWritableAndTheTunnelTurnsUnwritable() {
        tunnel.onOpen(carrier);
        carrier.writable = false;

        for (int i = 0; i < 20; i++) {
            tunnel.writeAndFlush(Unpooled.wrappedBuffer(new byte[64 * KIB]));
        }

        assertThat(carrier.writtenBytes).as("nothing passes a shut window").isZero();
        assertThat(tunnel.isWritable()).as("1.25 MiB queued: above the 1 MiB high water mark").isFalse();
        assertThat(writability).containsExactly(false);

        carrier.writable = true;
        tunnel.onWritabilityChanged(carrier);

        assertThat(carrier.writtenBytes).isEqualTo(20 * 64 * KIB);
        assertThat(tunnel.isWritable()).isTrue();
        assertThat(writability).containsExactly(false, true);
    }

    @Test
    void theCarriersEndClosesTheTunnelAndClosingTheTunnelClosesTheCarrier() {
        tunnel.onOpen(carrier);

        tunnel.close();
        parent.runPendingTasks();

        assertThat(carrier.closed).isTrue();
        assertThat(tunnel.isOpen()).isFalse();

        SshTunnelChannel other = new SshTunnelChannel(carrier.connection, "h", 1);
        Carrier second = new Carrier(carrier.connection);
        other.onOpen(second);
        other.onEof(second);
        parent.runPendingTasks();
        assertThat(other.isOpen()).as("the inner connection's peer is gone after its EOF").isFalse();
        assertThat(second.closed).isTrue();
    }

    /** A carrying SSH channel whose writability the test sets; it records what is written to it. */
    private static final class Carrier implements SshChannel {
        final SshConnection connection;
        boolean writable = true;
        long writtenBytes;
        int consumed;
        boolean closed;

        Carrier(SshConnection connection) {
            this.connection = connection;
        }

        @Override
        public int localId() {
            return 0;
        }

        @Override
        public int remoteId() {
            return 0;
        }

        @Override
        public String type() {
            return "direct-tcpip";
        }

        @Override
        public SshConnection connection() {
            return connection;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public boolean isWritable() {
            return writable && !closed;
        }

        @Override
        public long sendWindow() {
            return writable ? 1 << 20 : 0;
        }

        @Override
        public long receiveWindowSize() {
            return ConnectionConfig.DEFAULT.initialWindow();
        }

        @Override
        public void write(ByteBuf data) {
            writtenBytes += data.readableBytes();
            data.release();
        }

        @Override
        public void writeExtended(int dataTypeCode, ByteBuf data) {
            data.release();
        }

        @Override
        public void consumed(int bytes) {
            consumed += bytes;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public Future<Boolean> sendRequest(String requestType, boolean wantReply, byte[] typeSpecificData) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class Connection implements SshConnection {
        private final Channel parent;

        Connection(Channel parent) {
            this.parent = parent;
        }

        @Override
        public Channel parent() {
            return parent;
        }

        @Override
        public ConnectionConfig config() {
            return ConnectionConfig.DEFAULT;
        }

        @Override
        public Future<SshChannel> openChannel(String channelType, byte[] data, ChannelListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<List<SshChannel>> openChannels() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Optional<byte[]>> sendGlobalRequest(String name, boolean wantReply, byte[] data) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String user() {
            return "test";
        }

        @Override
        public void registerGlobalRequestHandler(String requestName, GlobalRequestHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void registerOpenHandler(String channelType, ChannelOpenHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void flushSoon() {
        }

        @Override
        public ChannelFuture close() {
            return parent.close();
        }

        @Override
        public ChannelFuture closeFuture() {
            return parent.closeFuture();
        }
    }
}
