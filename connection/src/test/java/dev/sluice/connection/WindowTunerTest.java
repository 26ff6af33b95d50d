package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.message.ChannelData;
import dev.sluice.connection.message.ChannelEof;
import dev.sluice.connection.message.ChannelOpen;
import dev.sluice.connection.message.ChannelOpenConfirmation;
import dev.sluice.connection.message.ChannelWindowAdjust;
import dev.sluice.connection.message.ConnectionMessage;
import dev.sluice.connection.message.GlobalRequest;
import dev.sluice.connection.message.RequestFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Window growth from measured round trips ({@link WindowTuner}), driven through a {@link ConnectionHandler} with a
 * clock the test moves: the probes it sends, the WINDOW_ADJUSTs that grow a window, and when it stays put.
 */
class WindowTunerTest {
    private static final int PACKET = 1024;
    private static final ConnectionConfig GROWING = new ConnectionConfig(PACKET, 4096, 4).withMaxWindow(16384);
    private static final GlobalRequest PROBE = new GlobalRequest(WindowTuner.PROBE_REQUEST, true, new byte[0]);

    private final List<SshChannel> accepted = new ArrayList<>();
    private EmbeddedChannel ch;
    private long nanos = 1_000_000_000L;

    private void start(ConnectionConfig config) {
        ConnectionHandler handler = new ConnectionHandler(config, Map.of("test", request ->
                accepted.add(request.accept(new ChannelListener() {
                    @Override
                    public void onData(SshChannel c, ByteBuf data) {
                        c.consumed(data.readableBytes());
                    }
                }))), Map.of(), () -> nanos);
        ch = new EmbeddedChannel(handler);
        handler.authenticated("alice");
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private void in(ConnectionMessage m) {
        try {
            ch.writeInbound(m.toPayload(PooledByteBufAllocator.DEFAULT));
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    private List<ConnectionMessage> allOut() {
        ch.runPendingTasks();
        List<ConnectionMessage> all = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            try {
                all.add(ConnectionMessage.decode(b));
            } finally {
                b.release();
            }
        }
        return all;
    }

    private void elapse(double millis) {
        nanos += (long) (millis * TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** The seeding probe goes out at authentication; its reply after {@code rttMillis} sets the minimum. */
    private void seed(double rttMillis) {
        assertThat(allOut()).containsExactly(PROBE);
        elapse(rttMillis);
        in(RequestFailure.INSTANCE);
    }

    /** The peer opens a channel with its number 77; we accept it as channel 0. */
    private SshChannel peerOpens() {
        in(new ChannelOpen("test", 77, 1 << 20, PACKET, new byte[0]));
        assertThat(allOut()).containsExactly(new ChannelOpenConfirmation(77, 0, 4096, PACKET, new byte[0]));
        return accepted.get(0);
    }

    private void peerSends(int packets) {
        for (int i = 0; i < packets; i++) {
            in(new ChannelData(0, Unpooled.wrappedBuffer(new byte[PACKET])));
        }
    }

    private static long grown(List<ConnectionMessage> out) {
        return out.stream().filter(ChannelWindowAdjust.class::isInstance).map(ChannelWindowAdjust.class::cast)
                .mapToLong(a -> a.bytesToAdd()).sum();
    }

    @Test
    void aWindowThatHoldsBackAFarPeerDoublesUpToTheCap() {
        start(GROWING);
        seed(20);
        SshChannel c = peerOpens();

        // The first data starts a probe; a whole window arrives before its reply, 20 ms later: window-bound.
        peerSends(1);
        assertThat(allOut()).containsExactly(PROBE);
        peerSends(3);
        List<ConnectionMessage> credits = allOut();
        elapse(20);
        in(RequestFailure.INSTANCE);
        assertThat(allOut()).containsExactly(new ChannelWindowAdjust(77, 4096));
        assertThat(c.receiveWindowSize()).isEqualTo(8192);
        assertThat(grown(credits)).as("ordinary credit for consumed bytes").isPositive();

        // It keeps measuring while it grows: the next data probes again at once.
        peerSends(1);
        assertThat(allOut()).contains(PROBE);
        peerSends(7);
        allOut();
        elapse(20);
        in(RequestFailure.INSTANCE);
        assertThat(allOut()).containsExactly(new ChannelWindowAdjust(77, 8192));
        assertThat(c.receiveWindowSize()).isEqualTo(16384);

        // At the cap nothing is probed any more.
        elapse(1000);
        peerSends(8);
        assertThat(allOut()).doesNotContain(PROBE);
        assertThat(c.receiveWindowSize()).isEqualTo(16384);
    }

    @Test
    void aNearPeerBehindAQueueKeepsItsWindowAndIsProbedAtMostTenTimesASecond() {
        start(GROWING);
        seed(0.1);
        SshChannel c = peerOpens();

        peerSends(1);
        assertThat(allOut()).containsExactly(PROBE);
        peerSends(3);
        allOut();
        // A whole window in 2 ms, but the path's round trip is 0.1 ms: the queue, not the window, held the reply.
        elapse(2);
        in(RequestFailure.INSTANCE);
        assertThat(allOut()).isEmpty();
        assertThat(c.receiveWindowSize()).isEqualTo(4096);

        elapse(50);
        peerSends(1);
        assertThat(allOut()).doesNotContain(PROBE);
        elapse(60);
        peerSends(1);
        assertThat(allOut()).contains(PROBE);
    }

    @Test
    void aSlowConsumerIsNotMistakenForAFarPeer() {
        start(GROWING);
        seed(20);
        SshChannel c = peerOpens();

        // Over 20 ms only a quarter of the window arrives: the sender, not the window, sets the pace.
        peerSends(1);
        assertThat(allOut()).containsExactly(PROBE);
        elapse(20);
        in(RequestFailure.INSTANCE);
        assertThat(allOut()).isEmpty();
        assertThat(c.receiveWindowSize()).isEqualTo(4096);
    }

    @Test
    void noCreditFollowsThePeersEof() {
        start(GROWING);
        seed(20);
        SshChannel c = peerOpens();

        peerSends(1);
        allOut();
        peerSends(3);
        in(new ChannelEof(0));
        allOut();
        elapse(20);
        in(RequestFailure.INSTANCE);
        assertThat(allOut()).isEmpty();
        assertThat(c.receiveWindowSize()).isEqualTo(4096);
    }

    @Test
    void fixedWindowsSendNoProbes() {
        start(GROWING.withMaxWindow(GROWING.initialWindow()));
        assertThat(allOut()).isEmpty();
        SshChannel c = peerOpens();
        peerSends(4);
        assertThat(allOut()).doesNotContain(PROBE);
        assertThat(c.receiveWindowSize()).isEqualTo(4096);
    }
}
