package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.message.ChannelClose;
import dev.sluice.connection.message.ChannelData;
import dev.sluice.connection.message.ChannelEof;
import dev.sluice.connection.message.ChannelFailure;
import dev.sluice.connection.message.ChannelOpen;
import dev.sluice.connection.message.ChannelOpenConfirmation;
import dev.sluice.connection.message.ChannelOpenFailure;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.connection.message.ChannelSuccess;
import dev.sluice.connection.message.ChannelWindowAdjust;
import dev.sluice.connection.message.ConnectionMessage;
import dev.sluice.connection.message.GlobalRequest;
import dev.sluice.connection.message.OpenFailureReason;
import dev.sluice.connection.message.RequestFailure;
import dev.sluice.connection.message.RequestSuccess;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {
    private static final ConnectionConfig SMALL = new ConnectionConfig(1024, 4096, 4);

    private final List<SshChannel> accepted = new ArrayList<>();
    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private SshException error;
    private ConnectionHandler handler;

    /** Records the events of every channel; credits data back at once unless told not to. */
    static final class Recorder implements ChannelListener {
        final List<String> events = new ArrayList<>();
        final ByteBuf received = Unpooled.buffer();
        boolean consume = true;
        boolean requestAnswer;

        @Override
        public void onOpen(SshChannel c) {
            events.add("open " + c.localId());
        }

        @Override
        public void onData(SshChannel c, ByteBuf data) {
            int n = data.readableBytes();
            received.writeBytes(data, data.readerIndex(), n);
            if (consume) {
                c.consumed(n);
            }
        }

        @Override
        public void onEof(SshChannel c) {
            events.add("eof " + c.localId());
        }

        @Override
        public void onClose(SshChannel c) {
            events.add("close " + c.localId());
        }

        @Override
        public void onWritabilityChanged(SshChannel c) {
            events.add("writable " + c.isWritable());
        }

        @Override
        public boolean onRequest(SshChannel c, ChannelRequest request) {
            events.add("request " + request.requestType());
            return requestAnswer;
        }
    }

    private void start(ConnectionConfig config) {
        handler = new ConnectionHandler(config, Map.of("test", request -> accepted.add(request.accept(recorder)),
                "refuse", request -> request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "no"),
                "later", request -> { }));
        ch = new EmbeddedChannel(handler);
    }

    @AfterEach
    void tearDown() {
        recorder.received.release();
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** Feeds one message from the peer; a protocol error it causes is kept for {@link #assertProtocolError}. */
    private void in(ConnectionMessage m) {
        try {
            ch.writeInbound(m.toPayload(PooledByteBufAllocator.DEFAULT));
        } catch (SshException e) {
            assertThat(error).as("only one error is ever fired").isNull();
            error = e;
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    /** The next message we sent, decoded; DATA is returned as a copy so that nothing needs releasing. */
    private ConnectionMessage out() {
        ch.runPendingTasks();
        Object o = ch.readOutbound();
        if (o == null) {
            return null;
        }
        if (o instanceof ChannelData sent) {
            // The send path hands DATA to the packet encoder as a message that writes itself.
            ChannelData copy = new ChannelData(sent.recipientChannel(), Unpooled.copiedBuffer(sent.content()));
            sent.release();
            return copy;
        }
        ByteBuf b = (ByteBuf) o;
        try {
            ConnectionMessage m = ConnectionMessage.decode(b);
            if (m instanceof ChannelData d) {
                ChannelData copy = new ChannelData(d.recipientChannel(), Unpooled.copiedBuffer(d.content()));
                d.release();
                return copy;
            }
            return m;
        } finally {
            b.release();
        }
    }

    private List<ConnectionMessage> allOut() {
        List<ConnectionMessage> all = new ArrayList<>();
        for (ConnectionMessage m = out(); m != null; m = out()) {
            all.add(m);
        }
        return all;
    }

    /** The peer opens a "test" channel with its number 77 and the given window; we accept as channel 0. */
    private SshChannel peerOpens(long window, int maxPacket) {
        in(new ChannelOpen("test", 77, (int) window, maxPacket, new byte[0]));
        assertThat(out()).isEqualTo(new ChannelOpenConfirmation(77, 0, (int) SMALL.initialWindow(),
                SMALL.maxPacket(), new byte[0]));
        return accepted.get(accepted.size() - 1);
    }

    private static ChannelData data(int recipient, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return new ChannelData(recipient, Unpooled.wrappedBuffer(b));
    }

    private void assertProtocolError(String messagePart) {
        assertThat(error).isNotNull().hasMessageContaining(messagePart);
        assertThat(error.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
    }

    private void assertNoError() {
        ch.checkException();
        assertThat(error).isNull();
    }

    @Test
    void unknownGlobalRequestsWithWantReplyGetRequestFailureLikeOpenSsh() {
        start(SMALL);
        in(new GlobalRequest("keepalive@openssh.com", true, new byte[0]));
        in(new GlobalRequest("no-such-request@example.com", true, new byte[] {1, 2}));
        assertThat(allOut()).containsExactly(RequestFailure.INSTANCE, RequestFailure.INSTANCE);
    }

    @Test
    void globalRequestsWithoutWantReplyAreIgnored() {
        start(SMALL);
        in(new GlobalRequest("no-more-sessions@openssh.com", false, new byte[0]));
        assertThat(allOut()).isEmpty();
        assertNoError();
    }

    @Test
    void openOfAnUnknownTypeIsRefusedWithUnknownChannelType() {
        start(SMALL);
        in(new ChannelOpen("x11", 5, 1000, 1000, new byte[0]));
        assertThat(out()).isEqualTo(new ChannelOpenFailure(5, OpenFailureReason.UNKNOWN_CHANNEL_TYPE,
                "unknown channel type"));
    }

    @Test
    void openRefusedByItsHandlerSendsTheHandlersReasonAndFreesTheNumber() {
        start(SMALL);
        in(new ChannelOpen("refuse", 5, 1000, 1000, new byte[0]));
        assertThat(out()).isEqualTo(new ChannelOpenFailure(5, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "no"));
        assertThat(handler.table.size()).isZero();
    }

    @Test
    void dataOnAnUnknownChannelIsAProtocolErrorAndLaterMessagesAreIgnored() {
        start(SMALL);
        in(data(3, 10));
        assertProtocolError("rcvd CHANNEL_DATA for unknown channel 3");
        in(new GlobalRequest("keepalive@openssh.com", true, new byte[0]));
        assertThat(allOut()).isEmpty();
    }

    @Test
    void acceptedChannelDeliversDataAndCreditsItBackInBatches() {
        start(SMALL);
        peerOpens(100_000, 1024);
        assertThat(recorder.events).containsExactly("open 0", "writable true");
        in(data(0, 1024));
        in(data(0, 1024));
        assertThat(allOut()).as("window 2048 of 4096: neither below half nor 3 packets short").isEmpty();
        in(data(0, 1));
        assertThat(allOut()).as("window below half").containsExactly(new ChannelWindowAdjust(77, 2 * 1024 + 1));
        assertThat(recorder.received.readableBytes()).isEqualTo(2 * 1024 + 1);
    }

    @Test
    void unconsumedDataIsNeverCreditedAndAnOverrunPastTheGraceIsAProtocolError() {
        start(SMALL);
        peerOpens(100_000, 1024);
        recorder.consume = false;
        for (int i = 0; i < 4; i++) {
            in(data(0, 1024)); // exactly the 4096-byte window
        }
        assertThat(allOut()).isEmpty();
        in(data(0, 400)); // within 10 % grace (409 bytes)
        assertNoError();
        in(data(0, 10));
        assertProtocolError("channel 0: peer ignored channel window");
    }

    @Test
    void aPacketOverOurMaximumIsAProtocolError() {
        start(SMALL);
        peerOpens(100_000, 1024);
        in(data(0, 1025));
        assertProtocolError("channel 0: rcvd big packet 1025, maxpack 1024");
    }

    @Test
    void dataAfterThePeersEofIsAProtocolError() {
        start(SMALL);
        peerOpens(100_000, 1024);
        in(new ChannelEof(0));
        assertThat(recorder.events).contains("eof 0");
        in(data(0, 1));
        assertProtocolError("channel 0: rcvd data after EOF");
    }

    @Test
    void peerCloseIsAnsweredOnceAndFreesTheNumberForReuse() {
        start(SMALL);
        SshChannel c = peerOpens(100_000, 1024);
        in(new ChannelClose(0));
        assertThat(allOut()).containsExactly(new ChannelClose(77));
        assertThat(recorder.events).endsWith("close 0");
        assertThat(c.isOpen()).isFalse();
        c.close(); // no second CLOSE
        assertThat(allOut()).isEmpty();
        SshChannel again = peerOpens(100_000, 1024);
        assertThat(again.localId()).isZero();
        in(new ChannelClose(1));
        assertProtocolError("rcvd CHANNEL_CLOSE for unknown channel 1");
    }

    @Test
    void ourCloseWaitsForThePeersCloseAndDropsWhatCrossedIt() {
        start(SMALL);
        SshChannel c = peerOpens(100_000, 1024);
        c.close();
        assertThat(allOut()).containsExactly(new ChannelClose(77));
        assertThat(c.isOpen()).isTrue();
        in(data(0, 100)); // crossed our CLOSE
        in(new ChannelEof(0));
        assertThat(recorder.received.readableBytes()).isZero();
        in(new ChannelClose(0));
        assertThat(allOut()).isEmpty();
        assertThat(c.isOpen()).isFalse();
        assertThat(recorder.events).endsWith("close 0");
        assertThat(handler.table.size()).isZero();
        assertNoError();
    }

    @Test
    void channelRequestsAreAnsweredByTheListenerAndUnknownOnesFail() {
        start(SMALL);
        peerOpens(100_000, 1024);
        in(new ChannelRequest(0, "keepalive@openssh.com", true, new byte[0]));
        in(new ChannelRequest(0, "whatever", false, new byte[0]));
        recorder.requestAnswer = true;
        in(new ChannelRequest(0, "known", true, new byte[0]));
        assertThat(allOut()).containsExactly(new ChannelFailure(77), new ChannelSuccess(77));
    }

    @Test
    void ourChannelRequestsGetTheirRepliesInOrder() {
        start(SMALL);
        SshChannel c = peerOpens(100_000, 1024);
        Future<Boolean> first = c.sendRequest("a", true, new byte[0]);
        Future<Boolean> second = c.sendRequest("b", true, new byte[0]);
        Future<Boolean> noReply = c.sendRequest("c", false, new byte[0]);
        assertThat(allOut()).hasSize(3);
        assertThat(noReply.getNow()).isTrue();
        in(new ChannelFailure(0));
        in(new ChannelSuccess(0));
        assertThat(first.getNow()).isFalse();
        assertThat(second.getNow()).isTrue();
        in(new ChannelSuccess(0));
        assertProtocolError("rcvd CHANNEL_SUCCESS without a request");
    }

    @Test
    void sendSideCutsPacketsByWindowAndPeerMaxPacketAndQueuesTheRest() {
        start(SMALL);
        SshChannel c = peerOpens(2500, 1000); // peer's packets are smaller than ours
        recorder.events.clear();
        c.write(Unpooled.wrappedBuffer(new byte[6000]));
        List<ConnectionMessage> sent = allOut();
        assertThat(sent).extracting(m -> ((ChannelData) m).content().readableBytes()).containsExactly(1000, 1000, 500);
        sent.forEach(ReferenceCountUtil::release);
        assertThat(c.isWritable()).isFalse();
        assertThat(c.sendWindow()).isZero();
        assertThat(recorder.events).containsExactly("writable false");
        in(new ChannelWindowAdjust(0, 0)); // a zero adjust changes nothing
        assertThat(allOut()).isEmpty();
        in(new ChannelWindowAdjust(0, 10_000));
        sent = allOut();
        assertThat(sent).extracting(m -> ((ChannelData) m).content().readableBytes())
                .containsExactly(1000, 1000, 1000, 500);
        sent.forEach(ReferenceCountUtil::release);
        assertThat(c.isWritable()).isTrue();
        assertThat(c.sendWindow()).isEqualTo(10_000 - 3500);
        assertThat(recorder.events).containsExactly("writable false", "writable true");
    }

    @Test
    void eofAndCloseFollowQueuedData() {
        start(SMALL);
        SshChannel c = peerOpens(1000, 1000);
        c.write(Unpooled.wrappedBuffer(new byte[1500]));
        c.shutdownOutput();
        c.close();
        c.write(Unpooled.wrappedBuffer(new byte[10])); // after EOF: dropped
        List<ConnectionMessage> sent = allOut();
        assertThat(sent).hasSize(1);
        sent.forEach(ReferenceCountUtil::release);
        in(new ChannelWindowAdjust(0, 1000));
        sent = allOut();
        assertThat(sent).hasSize(3);
        assertThat(((ChannelData) sent.get(0)).content().readableBytes()).isEqualTo(500);
        assertThat(sent.subList(1, 3)).containsExactly(new ChannelEof(77), new ChannelClose(77));
        sent.forEach(ReferenceCountUtil::release);
    }

    @Test
    void sshSocketWritabilityPausesEveryChannel() {
        start(SMALL);
        SshChannel c = peerOpens(100_000, 1024);
        recorder.events.clear();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        ch.runPendingTasks();
        assertThat(c.isWritable()).isFalse();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.runPendingTasks();
        assertThat(c.isWritable()).isTrue();
        assertThat(recorder.events).containsExactly("writable false", "writable true");
    }

    @Test
    void connectionCloseEndsEveryChannelAndReleasesQueuedBuffers() {
        start(SMALL);
        SshChannel c = peerOpens(10, 1000);
        ByteBuf queued = Unpooled.directBuffer(100).writeZero(100);
        c.write(queued);
        // The 10 bytes sent hold a slice of it until the packet encoder has copied them.
        allOut().forEach(ReferenceCountUtil::release);
        assertThat(queued.refCnt()).isEqualTo(1);
        Future<SshChannel> opening = handler.connection().openChannel("x", new byte[0], recorder);
        Future<Optional<byte[]>> global = handler.connection().sendGlobalRequest("g", true, new byte[0]);
        allOut();
        ch.close();
        assertThat(queued.refCnt()).isZero();
        assertThat(recorder.events).endsWith("close 0");
        assertThat(opening.cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(global.cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void ourOpenSucceedsOnConfirmationAndFailsWithThePeersReason() {
        start(SMALL);
        Future<SshChannel> ok = handler.connection().openChannel("direct-tcpip", new byte[] {9}, recorder);
        Future<SshChannel> refused = handler.connection().openChannel("direct-tcpip", new byte[0], recorder);
        assertThat(allOut()).containsExactly(
                new ChannelOpen("direct-tcpip", 0, 4096, 1024, new byte[] {9}),
                new ChannelOpen("direct-tcpip", 1, 4096, 1024, new byte[0]));
        in(new ChannelOpenConfirmation(0, 500, 65536, 32768, new byte[0]));
        in(new ChannelOpenFailure(1, 2, "Connection refused", ""));
        assertThat(ok.getNow().remoteId()).isEqualTo(500);
        assertThat(ok.getNow().sendWindow()).isEqualTo(65536);
        assertThat(refused.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("connect failed: Connection refused");
        assertThat(((ChannelOpenException) refused.cause()).localId()).isEqualTo(1);
        in(new ChannelOpenConfirmation(0, 501, 1, 1, new byte[0]));
        assertProtocolError("channel 0: rcvd CHANNEL_OPEN_CONFIRMATION in state OPEN");
    }

    @Test
    void globalRepliesCompleteOurRequestsInOrder() {
        start(SMALL);
        Future<Optional<byte[]>> a = handler.connection().sendGlobalRequest("tcpip-forward", true, new byte[0]);
        Future<Optional<byte[]>> b = handler.connection().sendGlobalRequest("other", true, new byte[0]);
        assertThat(allOut()).hasSize(2);
        in(new RequestSuccess(new byte[] {0, 0, 4, 0}));
        in(RequestFailure.INSTANCE);
        assertThat(a.getNow()).hasValueSatisfying(v -> assertThat(v).containsExactly(0, 0, 4, 0));
        assertThat(b.getNow()).isEmpty();
        in(RequestFailure.INSTANCE);
        assertProtocolError("rcvd REQUEST_FAILURE without a global request");
    }

    @Test
    void channelsBeyondTheLimitAreRefusedWithResourceShortage() {
        start(SMALL);
        for (int i = 0; i < 4; i++) {
            in(new ChannelOpen("later", 10 + i, 100, 100, new byte[0]));
        }
        assertThat(allOut()).isEmpty(); // four pending decisions hold four numbers
        in(new ChannelOpen("later", 99, 100, 100, new byte[0]));
        assertThat(out()).isEqualTo(new ChannelOpenFailure(99, OpenFailureReason.RESOURCE_SHORTAGE,
                "too many channels"));
    }

    @Test
    void messagesBeforeTheOpenIsConfirmedAreProtocolErrors() {
        start(SMALL);
        handler.connection().openChannel("x", new byte[0], recorder);
        allOut();
        in(data(0, 1));
        assertProtocolError("channel 0: rcvd CHANNEL_DATA in state OPENING");
    }

    @Test
    void aListenerThatThrowsClosesOnlyItsChannel() {
        handler = new ConnectionHandler(SMALL, Map.of("test", request -> request.accept(new ChannelListener() {
            @Override
            public void onData(SshChannel c, ByteBuf data) {
                throw new IllegalStateException("boom");
            }
        })));
        ch = new EmbeddedChannel(handler);
        in(new ChannelOpen("test", 77, 1000, 1000, new byte[0]));
        allOut();
        in(data(0, 5));
        assertThat(allOut()).containsExactly(new ChannelClose(77));
        assertNoError();
        assertThat(ch.isActive()).isTrue();
    }
}
