package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connection.message.ChannelClose;
import dev.sluice.connection.message.ChannelData;
import dev.sluice.connection.message.ChannelEof;
import dev.sluice.connection.message.ChannelExtendedData;
import dev.sluice.connection.message.ChannelOpen;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.connection.message.ChannelWindowAdjust;
import dev.sluice.connection.message.ConnectionMessage;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Extended data (stderr) and the order of a session's end as sshd sends it: data and stderr share the send window,
 * and a request made after {@link SshChannel#shutdownOutput} (exit-status) follows the EOF, before CLOSE.
 */
class ChannelOutputOrderTest {
    private static final ConnectionConfig CONFIG = new ConnectionConfig(1024, 4096, 4);

    private final List<SshChannel> accepted = new ArrayList<>();
    private EmbeddedChannel ch;

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    /** The peer opens a channel (its number 9) granting {@code window} bytes; returns our side of it. */
    private SshChannel open(int window) {
        ch = new EmbeddedChannel(new ConnectionHandler(CONFIG, Map.of("session", r -> accepted.add(r.accept(
                (c, data) -> c.consumed(data.readableBytes()))))));
        in(new ChannelOpen("session", 9, window, 1024, new byte[0]));
        assertThat(out()).isEqualTo("OPEN_CONFIRMATION");
        return accepted.get(0);
    }

    private void in(ConnectionMessage m) {
        ch.writeInbound(m.toPayload(PooledByteBufAllocator.DEFAULT));
        ReferenceCountUtil.release(m);
        ch.checkException();
    }

    /** The next message we sent, as a short description. */
    private String out() {
        ch.runPendingTasks();
        Object o = ch.readOutbound();
        if (o == null) {
            return null;
        }
        try {
            if (o instanceof ChannelData d) {
                return "DATA " + d.content().readableBytes();
            }
            ConnectionMessage m = ConnectionMessage.decode((ByteBuf) o);
            try {
                if (m instanceof ChannelExtendedData e) {
                    return "STDERR " + e.content().readableBytes();
                }
                if (m instanceof ChannelRequest r) {
                    return "REQUEST " + r.requestType();
                }
                if (m instanceof ChannelEof) {
                    return "EOF";
                }
                if (m instanceof ChannelClose) {
                    return "CLOSE";
                }
                return m.getClass().getSimpleName().equals("ChannelOpenConfirmation") ? "OPEN_CONFIRMATION"
                        : m.toString();
            } finally {
                ReferenceCountUtil.release(m);
            }
        } finally {
            ReferenceCountUtil.release(o);
        }
    }

    private List<String> allOut() {
        List<String> all = new ArrayList<>();
        for (String m = out(); m != null; m = out()) {
            all.add(m);
        }
        return all;
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    @Test
    void exitStatusRequestedAfterShutdownShouldFollowTheEofAndPrecedeTheClose() {
        SshChannel c = open(4096);

        c.write(bytes(100));
        c.writeExtended(ChannelExtendedData.STDERR, bytes(20));
        c.shutdownOutput();
        Future<Boolean> sent = c.sendRequest("exit-status", false, new byte[] {0, 0, 0, 3});
        c.close();

        assertThat(allOut()).containsExactly("DATA 100", "STDERR 20", "EOF", "REQUEST exit-status", "CLOSE");
        assertThat(sent.isSuccess()).isTrue();
    }

    @Test
    void stderrShouldWaitForWindowLikeDataAndTheEndWaitForBoth() {
        SshChannel c = open(50);

        c.write(bytes(40));
        c.writeExtended(ChannelExtendedData.STDERR, bytes(30));
        c.shutdownOutput();
        Future<Boolean> sent = c.sendRequest("exit-status", false, new byte[] {0, 0, 0, 0});
        c.close();

        assertThat(allOut()).containsExactly("DATA 40", "STDERR 10");
        assertThat(sent.isDone()).isFalse();
        assertThat(c.isWritable()).isFalse();

        in(new ChannelWindowAdjust(0, 100));
        assertThat(allOut()).containsExactly("STDERR 20", "EOF", "REQUEST exit-status", "CLOSE");
        assertThat(sent.isSuccess()).isTrue();
    }

    @Test
    void requestsDeferredBehindEofShouldFailWhenThePeerClosesFirst() {
        SshChannel c = open(0);
        c.write(bytes(10));
        c.shutdownOutput();
        Future<Boolean> sent = c.sendRequest("exit-status", false, new byte[] {0, 0, 0, 0});

        in(new ChannelClose(0));

        assertThat(allOut()).containsExactly("CLOSE");
        assertThat(sent.cause()).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void extendedDataOfOtherTypesShouldBeRejected() {
        SshChannel c = open(4096);
        ByteBuf b = bytes(1);

        assertThatThrownBy(() -> c.writeExtended(2, b)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.refCnt()).isZero();
    }
}
