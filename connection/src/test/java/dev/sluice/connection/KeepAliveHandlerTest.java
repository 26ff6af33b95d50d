package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.message.ConnectionMessage;
import dev.sluice.connection.message.GlobalRequest;
import dev.sluice.connection.message.RequestFailure;
import dev.sluice.connection.message.RequestSuccess;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keepalives on an EmbeddedChannel with frozen time: when they are sent, what a reply or a byte from the peer
 * changes, and when the connection is given up, for each role's reading of the count maximum.
 */
class KeepAliveHandlerTest {
    private static final long INTERVAL_MILLIS = 15_000;

    private EmbeddedChannel ch;
    private TransportSession session;
    private KeepAliveHandler keepAlive;

    private void start(Role role, int countMax) {
        ch = new EmbeddedChannel();
        // Only advanceTimeBy moves the clock, so the test does not depend on how fast the machine is.
        ch.freezeTime();
        // Fixed windows: window tuning's own probes would be counted as keepalives here.
        ConnectionConfig config = ConnectionConfig.DEFAULT.withMaxWindow(ConnectionConfig.DEFAULT.initialWindow())
                .withKeepAlive(Duration.ofMillis(INTERVAL_MILLIS), countMax);
        ConnectionHandler connection = new ConnectionHandler(config);
        ch.pipeline().addLast("connection", connection);
        connection.authenticated("alice");
        session = new TransportSession(role, "SSH-2.0-Sluice_test");
        session.peer(role == Role.CLIENT ? "gw.example.org" : "192.0.2.7", role == Role.CLIENT ? 22 : 50022);
        keepAlive = new KeepAliveHandler(connection.connection(), session, config);
        ch.pipeline().addFirst("keepalive", keepAlive);
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    private void advance(long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    private List<ConnectionMessage> sent() {
        ch.runPendingTasks();
        List<ConnectionMessage> all = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            try {
                all.add(ConnectionMessage.decode((ByteBuf) o));
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return all;
    }

    private void receive(ConnectionMessage m) {
        ch.writeInbound(m.toPayload(PooledByteBufAllocator.DEFAULT));
    }

    private static final GlobalRequest PROBE = new GlobalRequest(KeepAliveHandler.REQUEST, true, new byte[0]);

    @Test
    void aSilentServerIsProbedEachIntervalAndGivenUpAfterCountMaxPlusOneIntervals() {
        start(Role.CLIENT, 3);

        advance(INTERVAL_MILLIS - 1);
        assertThat(sent()).isEmpty();
        for (int i = 1; i <= 3; i++) {
            advance(i == 1 ? 1 : INTERVAL_MILLIS);
            assertThat(sent()).as("probe %d", i).containsExactly(PROBE);
            assertThat(ch.isActive()).isTrue();
        }
        advance(INTERVAL_MILLIS);

        assertThat(ch.isActive()).isFalse();
        assertThat(sent()).as("no fourth probe, and no DISCONNECT").isEmpty();
        assertThat(session.closed()).contains(new TransportClosed(DisconnectReason.CONNECTION_LOST,
                "Timeout, server gw.example.org not responding.", true));
    }

    @Test
    void aReplyClearsTheCount() {
        start(Role.CLIENT, 2);
        advance(INTERVAL_MILLIS);
        advance(INTERVAL_MILLIS);
        assertThat(sent()).containsExactly(PROBE, PROBE);
        assertThat(keepAlive.unanswered()).isEqualTo(2);

        receive(RequestFailure.INSTANCE);
        receive(new RequestSuccess(new byte[0]));
        assertThat(keepAlive.unanswered()).isZero();

        advance(INTERVAL_MILLIS);
        advance(INTERVAL_MILLIS);
        assertThat(ch.isActive()).as("two unanswered again, not three").isTrue();
        advance(INTERVAL_MILLIS);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void anyByteFromThePeerPostponesTheProbe() {
        start(Role.CLIENT, 3);
        advance(INTERVAL_MILLIS - 1);
        receive(new GlobalRequest("something@example.org", false, new byte[0]));

        advance(INTERVAL_MILLIS - 1);
        assertThat(sent()).isEmpty();
        advance(1);
        assertThat(sent()).containsExactly(PROBE);
    }

    @Test
    void aClientWithCountMaxZeroGivesUpAtTheFirstSilentInterval() {
        start(Role.CLIENT, 0);
        advance(INTERVAL_MILLIS);

        assertThat(ch.isActive()).isFalse();
        assertThat(sent()).isEmpty();
    }

    @Test
    void aServerWithCountMaxZeroProbesForever() {
        start(Role.SERVER, 0);
        for (int i = 0; i < 10; i++) {
            advance(INTERVAL_MILLIS);
        }

        assertThat(ch.isActive()).isTrue();
        assertThat(sent()).hasSize(10).containsOnly(PROBE);
    }

    @Test
    void aServerGivesUpWithSshdsLogLine() {
        start(Role.SERVER, 1);
        advance(INTERVAL_MILLIS);
        advance(INTERVAL_MILLIS);

        assertThat(ch.isActive()).isFalse();
        assertThat(session.closed().map(TransportClosed::message))
                .contains("Timeout, client not responding from user alice 192.0.2.7 port 50022");
    }
}
