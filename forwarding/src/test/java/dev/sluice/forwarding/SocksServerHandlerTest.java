package dev.sluice.forwarding;

import static dev.sluice.forwarding.SocksClientBytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SOCKS server on an accepted socket, in an EmbeddedChannel: what it answers, when it opens a channel, what it
 * does with a refusal, malformed input and a client that stalls. The SSH connection is a recording stand-in.
 */
class SocksServerHandlerTest {
    private static final long TIMEOUT_MILLIS = 5_000;

    private EmbeddedChannel socket;
    private FakeConnection connection;

    @BeforeEach
    void setUp() {
        socket = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }
        };
        // Only advanceTimeBy moves the clock, so the timeout tests do not depend on how fast the machine is.
        socket.freezeTime();
        connection = new FakeConnection(socket);
        socket.pipeline().addLast("socks", new SocksServerHandler(connection, TIMEOUT_MILLIS));
    }

    @AfterEach
    void tearDown() {
        socket.finishAndReleaseAll();
    }

    private String readOutbound() {
        ByteBuf b = socket.readOutbound();
        if (b == null) {
            return null;
        }
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    @Test
    void socks5OpensADirectTcpipChannelAndRepliesOnlyOnceItIsOpen() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(5, 1, 0)));
        assertThat(readOutbound()).isEqualTo("0500");
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0, 80)));
        socket.writeInbound(Unpooled.copiedBuffer("GET /", StandardCharsets.US_ASCII));

        assertThat(connection.opens).hasSize(1);
        assertThat(connection.opens.get(0).target())
                .isEqualTo(new DirectTcpip("host", 80, "127.0.0.1", 40000));
        assertThat(readOutbound()).as("no reply before the channel is open").isNull();

        FakeChannel channel = connection.opens.get(0).confirm();

        assertThat(readOutbound()).isEqualTo("05000001000000000000");
        assertThat(channel.written()).as("data sent ahead of the reply reaches the channel").isEqualTo("GET /");
        assertThat(socket.pipeline().get("socks")).isNull();
        assertThat(socket.pipeline().get("bridge")).isInstanceOf(SocketChannelBridge.class);

        ByteBuf data = Unpooled.copiedBuffer("HTTP/1.0 200", StandardCharsets.US_ASCII);
        connection.opens.get(0).listener.onData(channel, data);
        data.release();
        socket.runPendingTasks();
        ByteBuf back = socket.readOutbound();
        assertThat(back.toString(StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.0 200");
        back.release();
        assertThat(channel.consumed).isEqualTo(12);
    }

    @Test
    void socks4aRefusedTargetGetsRejectedAndTheSocketCloses() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(4, 1, 0, 80, 0, 0, 0, 1, 'u', 0, 'd', 'b', 0)));

        connection.opens.get(0).refuse(2, "Connection refused");

        assertThat(readOutbound()).isEqualTo("005b000000000000");
        assertThat(socket.isActive()).isFalse();
    }

    @Test
    void socks5RefusalsCarryTheMatchingReplyCode() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 1, 0, 22)));
        assertThat(readOutbound()).isEqualTo("0500");

        connection.opens.get(0).refuse(2, "Connection refused");

        assertThat(readOutbound()).isEqualTo("05050001000000000000");
        assertThat(socket.isActive()).isFalse();
    }

    @Test
    void anAdministrativeRefusalIsNotAllowedByRuleset() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 1, 0, 22)));
        readOutbound();

        connection.opens.get(0).refuse(1, "open failed");

        assertThat(readOutbound()).isEqualTo("05020001000000000000");
    }

    @Test
    void anUnsupportedCommandIsAnsweredAndClosedWithoutOpeningAChannel() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(5, 1, 0, 5, 2, 0, 1, 10, 0, 0, 1, 0, 22)));

        assertThat(readOutbound()).as("method selection, then the refusal").isEqualTo("050005070001000000000000");
        assertThat(connection.opens).isEmpty();
        assertThat(socket.isActive()).isFalse();
    }

    @Test
    void garbageClosesTheSocketWithoutAReply() {
        socket.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));

        assertThat(readOutbound()).isNull();
        assertThat(connection.opens).isEmpty();
        assertThat(socket.isActive()).isFalse();
    }

    @Test
    void aClientThatStallsIsClosedAfterTheHandshakeTimeout() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(5, 1, 0, 5, 1)));
        readOutbound();

        socket.advanceTimeBy(TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
        socket.runScheduledPendingTasks();
        assertThat(socket.isActive()).isTrue();
        socket.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        socket.runScheduledPendingTasks();

        assertThat(socket.isActive()).isFalse();
        assertThat(connection.opens).isEmpty();
    }

    @Test
    void theTimeoutStopsOnceTheRequestIsComplete() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(4, 1, 0, 80, 10, 0, 0, 1, 0)));

        socket.advanceTimeBy(TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
        socket.runScheduledPendingTasks();

        assertThat(socket.isActive()).as("waiting for the server is not the client's stall").isTrue();
        connection.opens.get(0).confirm();
        assertThat(readOutbound()).isEqualTo("005a000000000000");
    }

    @Test
    void aSocketClosedWhileTheChannelOpensClosesTheChannel() {
        socket.writeInbound(Unpooled.wrappedBuffer(bytes(4, 1, 0, 80, 10, 0, 0, 1, 0, 'x')));
        socket.close();

        FakeChannel channel = connection.opens.get(0).confirm();

        assertThat(channel.closed).isTrue();
    }

    /** One CHANNEL_OPEN the handler sent: its data, its listener, and the means to answer it. */
    private record Open(byte[] data, ChannelListener listener, Promise<SshChannel> result) {
        DirectTcpip target() {
            return DirectTcpip.decode(data);
        }

        FakeChannel confirm() {
            FakeChannel channel = new FakeChannel();
            listener.onOpen(channel);
            result.setSuccess(channel);
            return channel;
        }

        void refuse(int reason, String description) {
            result.setFailure(new ChannelOpenException(3, reason, description));
        }
    }

    private static final class FakeConnection extends TestConnection {
        final List<Open> opens = new ArrayList<>();

        FakeConnection(Channel parent) {
            super(parent);
        }

        @Override
        public Future<SshChannel> openChannel(String type, byte[] data, ChannelListener listener) {
            assertThat(type).isEqualTo(DirectTcpip.CHANNEL_TYPE);
            Promise<SshChannel> p = parent().eventLoop().newPromise();
            opens.add(new Open(data, listener, p));
            return p;
        }
    }

    /** An open channel with a wide window that records what is written to it. */
    private static final class FakeChannel implements SshChannel {
        private final StringBuilder written = new StringBuilder();
        int consumed;
        boolean closed;

        String written() {
            return written.toString();
        }

        @Override
        public int localId() {
            return 3;
        }

        @Override
        public int remoteId() {
            return 7;
        }

        @Override
        public String type() {
            return DirectTcpip.CHANNEL_TYPE;
        }

        @Override
        public SshConnection connection() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public boolean isWritable() {
            return !closed;
        }

        @Override
        public long sendWindow() {
            return 1 << 20;
        }

        @Override
        public long receiveWindowSize() {
            return ConnectionConfig.DEFAULT.initialWindow();
        }

        @Override
        public void write(ByteBuf data) {
            written.append(data.toString(StandardCharsets.US_ASCII));
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
}
