package dev.sluice.forwarding;

import static dev.sluice.forwarding.SocksClientBytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SOCKS server of reverse dynamic forwarding on a stand-in channel (the SSH connection's loop is an
 * EmbeddedChannel's, with frozen time): what it answers over the channel, what it credits back, and when it closes the
 * channel without connecting anywhere. Connecting and bridging are covered end to end in
 * {@link ReverseDynamicForwardingTest}.
 */
class ChannelSocksServerTest {
    private static final long TIMEOUT_MILLIS = 5_000;

    private EmbeddedChannel loop;
    private FakeChannel channel;
    private ChannelSocksServer server;

    @BeforeEach
    void setUp() {
        loop = new EmbeddedChannel();
        // Only advanceTimeBy moves the clock, so the timeout tests do not depend on how fast the machine is.
        loop.freezeTime();
        channel = new FakeChannel(new TestConnection(loop));
        server = new ChannelSocksServer(TIMEOUT_MILLIS, PermitList.ANY);
        server.onOpen(channel);
    }

    @AfterEach
    void tearDown() {
        server.onClose(channel);
        loop.finishAndReleaseAll();
    }

    private void receive(byte[] data) {
        ByteBuf b = Unpooled.wrappedBuffer(data);
        try {
            server.onData(channel, b);
        } finally {
            b.release(); // borrowed, as ChannelListener#onData says
        }
    }

    @Test
    void theSocks5GreetingIsAnsweredAtOnceAndItsBytesCredited() {
        receive(bytes(5, 2, 2, 0));

        assertThat(channel.written()).isEqualTo("0500");
        assertThat(channel.consumed).isEqualTo(4);
        assertThat(channel.closed).isFalse();
    }

    @Test
    void aRequestSplitAcrossPacketsWaitsForItsLastByte() {
        byte[] request = SocksClientBytes.of(new SocksRequest(5, SocksRequest.AddressType.DOMAIN, "example.org", 80,
                ""));
        for (int i = 0; i < 3 + 4 + 1 + 5; i++) {
            receive(new byte[] {request[i]});
        }

        assertThat(channel.written()).isEqualTo("0500");
        assertThat(channel.consumed).as("only the greeting is decoded so far").isEqualTo(3);
        assertThat(channel.closed).isFalse();
    }

    @Test
    void anUnsupportedCommandIsAnsweredAndTheChannelClosed() {
        receive(bytes(5, 1, 0, 5, 2, 0, 1, 10, 0, 0, 1, 0, 80));

        assertThat(channel.written()).isEqualTo("0500" + "05070001000000000000");
        assertThat(channel.closed).isTrue();
    }

    @Test
    void aSocks4RequestWithAnOverlongUserIdIsRejected() {
        byte[] request = new byte[8 + SocksServerHandshake.MAX_NAME + 1];
        System.arraycopy(bytes(4, 1, 0, 80, 10, 0, 0, 1), 0, request, 0, 8);
        java.util.Arrays.fill(request, 8, request.length, (byte) 'u');
        receive(request);

        assertThat(channel.written()).isEqualTo("005b000000000000");
        assertThat(channel.closed).isTrue();
    }

    @Test
    void anUnknownVersionClosesWithoutAReplyAndLaterDataIsOnlyCredited() {
        receive(bytes(9, 9, 9));
        receive(bytes(5, 1, 0));

        assertThat(channel.written()).isEmpty();
        assertThat(channel.closed).isTrue();
        assertThat(channel.consumed).as("data after the refusal goes back as credit").isEqualTo(3);
    }

    @Test
    void eofBeforeTheRequestClosesTheChannel() {
        receive(bytes(5, 1));
        server.onEof(channel);

        assertThat(channel.closed).isTrue();
    }

    @Test
    void aClientThatStallsLosesTheChannelAfterTheHandshakeTimeout() {
        receive(bytes(5, 1, 0, 5, 1));

        loop.advanceTimeBy(TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        assertThat(channel.closed).isFalse();
        loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        assertThat(channel.closed).isTrue();
    }

    @Test
    void theTimeoutIsCancelledWhenTheChannelCloses() {
        server.onClose(channel);

        loop.advanceTimeBy(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();

        assertThat(channel.closed).as("nothing closes an ended channel again").isFalse();
    }

    /** An open forwarded-tcpip channel that records, in hex, what is written to it. */
    private static final class FakeChannel implements SshChannel {
        private final SshConnection connection;
        private final StringBuilder written = new StringBuilder();
        int consumed;
        boolean closed;

        FakeChannel(SshConnection connection) {
            this.connection = connection;
        }

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
            return TcpipForwardHandler.FORWARDED_TCPIP;
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
            written.append(ByteBufUtil.hexDump(data));
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
