package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connection.message.ConnectionMessage;
import dev.sluice.connection.message.GlobalRequest;
import dev.sluice.connection.message.RequestFailure;
import dev.sluice.connection.message.RequestSuccess;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The peer's global requests: handlers by name, replies with data, and replies in arrival order. */
class GlobalRequestsTest {
    private final List<InboundGlobalRequest> held = new ArrayList<>();
    private EmbeddedChannel ch;
    private ConnectionHandler handler;

    private void start() {
        // Fixed windows, so that window tuning sends no probe of its own.
        ConnectionConfig config = ConnectionConfig.DEFAULT.withMaxWindow(ConnectionConfig.DEFAULT.initialWindow());
        handler = new ConnectionHandler(config, Map.of(), Map.of(
                "port", r -> r.succeed(new byte[] {0, 0, (byte) 0x9c, 0x40}),
                "no", InboundGlobalRequest::fail,
                "later", held::add,
                "boom", r -> {
                    throw new IllegalStateException("boom");
                },
                "bad", r -> {
                    throw SshException.disconnect(DisconnectReason.PROTOCOL_ERROR, "bad request data");
                }));
        ch = new EmbeddedChannel(handler);
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private void in(String name, boolean wantReply) {
        ch.writeInbound(new GlobalRequest(name, wantReply, new byte[] {7}).toPayload(PooledByteBufAllocator.DEFAULT));
    }

    private List<ConnectionMessage> allOut() {
        ch.runPendingTasks();
        List<ConnectionMessage> all = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            try {
                all.add(ConnectionMessage.decode(b));
            } finally {
                ReferenceCountUtil.release(b);
            }
        }
        return all;
    }

    @Test
    void aHandlersSuccessCarriesItsResponseData() {
        start();
        in("port", true);
        in("no", true);
        in("unknown", true);
        assertThat(allOut()).containsExactly(new RequestSuccess(new byte[] {0, 0, (byte) 0x9c, 0x40}),
                RequestFailure.INSTANCE, RequestFailure.INSTANCE);
    }

    @Test
    void repliesLeaveInTheOrderTheRequestsArrivedEvenWhenAnsweredOutOfOrder() {
        start();
        in("later", true);
        in("later", true);
        in("port", true);
        assertThat(allOut()).as("the first request is still unanswered").isEmpty();
        held.get(1).fail();
        assertThat(allOut()).isEmpty();
        held.get(0).succeed(new byte[0]);
        assertThat(allOut()).containsExactly(new RequestSuccess(new byte[0]), RequestFailure.INSTANCE,
                new RequestSuccess(new byte[] {0, 0, (byte) 0x9c, 0x40}));
    }

    @Test
    void requestsWithoutWantReplyGetNoReplyAndDoNotHoldBackOthers() {
        start();
        in("later", false);
        in("port", false);
        in("no", true);
        assertThat(allOut()).containsExactly(RequestFailure.INSTANCE);
        held.get(0).succeed(new byte[0]);
        assertThat(allOut()).isEmpty();
        assertThat(held.get(0).requestData()).containsExactly(7);
        assertThat(held.get(0).connection()).isSameAs(handler.connection());
    }

    @Test
    void aHandlerThatThrowsRefusesItsRequestOnly() {
        start();
        in("boom", true);
        assertThat(allOut()).containsExactly(RequestFailure.INSTANCE);
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void malformedRequestDataIsAProtocolError() {
        start();
        assertThatThrownBy(() -> in("bad", true)).isInstanceOf(SshException.class).hasMessage("bad request data");
    }

    @Test
    void answeringTwiceIsAProgrammingError() {
        start();
        in("later", true);
        held.get(0).fail();
        assertThatThrownBy(() -> held.get(0).fail()).isInstanceOf(IllegalStateException.class);
        assertThat(allOut()).containsExactly(RequestFailure.INSTANCE);
    }

    @Test
    void handlersRegisteredLaterServeLaterRequestsAndTheUserIsRecorded() {
        start();
        handler.connection().registerGlobalRequestHandler("new", r -> r.succeed(new byte[] {1}));
        handler.authenticated("alice");
        in("new", true);
        assertThat(allOut()).containsExactly(new RequestSuccess(new byte[] {1}));
        assertThat(handler.connection().user()).isEqualTo("alice");
    }
}
