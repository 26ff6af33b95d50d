package dev.sluice.forwarding;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.SshChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves bytes both ways between a TCP socket and an SSH channel: the one bridge for every forwarding, both roles
 * ({@code -L} on the client, {@code direct-tcpip} on the server, later {@code -R} and {@code -D}).
 *
 * <h3>Flow control</h3>
 * The socket has AUTO_READ off. It reads one chunk at a time, and only while the SSH channel
 * {@linkplain SshChannel#isWritable() is writable} (send window left, nothing queued, SSH socket writable); it
 * resumes on {@link #onWritabilityChanged}. The other way, each CHANNEL_DATA is written to the socket and credited
 * back to the peer ({@link SshChannel#consumed}) only when that write completes, so a slow destination slows the
 * sender and at most one window of data per channel waits here. Socket writes are flushed once per event-loop turn.
 *
 * <h3>Half-close</h3>
 * The socket allows half-closure. Its FIN becomes CHANNEL_EOF (after the data before it); the peer's EOF becomes
 * {@code shutdownOutput()} on the socket once every earlier write has completed. The channel is closed when both
 * directions are done, or at once on a socket error; the socket is closed (after pending writes) when the channel
 * ends.
 *
 * <p>The socket and the SSH connection share one event loop, so there is no locking and no byte changes threads.
 */
final class SocketChannelBridge extends ChannelInboundHandlerAdapter implements ChannelListener {
    private static final Logger log = LoggerFactory.getLogger(SocketChannelBridge.class);

    /**
     * Read sizes for forwarded sockets: adaptive between 4 KiB and 32 KiB, one full DATA packet at the default maximum
     * packet size. Larger reads did not move bulk data faster (benchmarks/run-forwarding.sh: about 1 GB/s either way)
     * but put several packets of one channel in front of every other channel in one event-loop turn: a 1-byte echo
     * beside a bulk channel took 1.3 ms with 256 KiB reads, 0.45 ms with 64 KiB and 0.35 ms with 32 KiB
     * (benchmarks/run-latency.sh; OpenSSH: about 0.4 ms).
     */
    static final AdaptiveRecvByteBufAllocator RECV_ALLOCATOR =
            new AdaptiveRecvByteBufAllocator(4 * 1024, 32 * 1024, 32 * 1024);

    private Channel socket;
    private SshChannel ssh;
    /**
     * What the socket delivered before the channel opened. With AUTO_READ off nothing is read then, except that
     * epoll reads at once when a FIN arrives (EPOLLRDHUP), so a client that sends and half-closes at once would
     * otherwise lose its request. At most one read's worth.
     */
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(1);
    /** The socket sent FIN; we sent (or queued) CHANNEL_EOF. */
    private boolean socketInputDone;
    /** The socket's output is shut after the peer's EOF. */
    private boolean socketOutputDone;
    private boolean socketFlushScheduled;
    private final Runnable flushSocket = () -> {
        socketFlushScheduled = false;
        socket.flush();
    };

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        socket = ctx.channel();
    }

    // ---- socket → SSH -----------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
        } else if (ssh == null) {
            early.add((ByteBuf) msg);
        } else {
            ssh.write((ByteBuf) msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readMore();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !socketInputDone) {
            socketInputDone = true;
            if (ssh != null) {
                ssh.shutdownOutput();
                maybeClose();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ssh != null) {
            ssh.close(); // what the socket sent before still goes out first
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("channel {}: socket {} failed: {}", ssh == null ? -1 : ssh.localId(), socket.remoteAddress(),
                cause.toString());
        ctx.close();
    }

    private void readMore() {
        if (ssh != null && !socketInputDone && ssh.isWritable() && socket.isActive()) {
            socket.read();
        }
    }

    // ---- SSH → socket -----------------------------------------------------------------------------------------

    @Override
    public void onOpen(SshChannel channel) {
        ssh = channel;
        ByteBuf b;
        while ((b = early.poll()) != null) {
            channel.write(b);
        }
        if (!socket.isActive()) {
            channel.close();
            return;
        }
        if (socketInputDone) {
            channel.shutdownOutput();
        }
        readMore();
    }

    @Override
    public void onData(SshChannel channel, ByteBuf data) {
        int n = data.readableBytes();
        socket.write(data.retain()).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                channel.consumed(n);
            } else {
                log.debug("channel {}: write to socket {} failed: {}", channel.localId(), socket.remoteAddress(),
                        f.cause().toString());
                channel.close(); // undeliverable: end the channel rather than lose bytes silently
            }
        });
        if (!socketFlushScheduled) {
            socketFlushScheduled = true;
            socket.eventLoop().execute(flushSocket);
        }
    }

    @Override
    public void onEof(SshChannel channel) {
        // An empty write completes after every earlier one: only then may the socket's output shut.
        socket.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || !socket.isActive()) {
                return;
            }
            ((DuplexChannel) socket).shutdownOutput().addListener((ChannelFutureListener) s -> {
                socketOutputDone = true;
                maybeClose();
            });
        });
    }

    @Override
    public void onWritabilityChanged(SshChannel channel) {
        readMore();
    }

    @Override
    public void onClose(SshChannel channel) {
        releaseEarly();
        if (socket.isActive()) {
            socket.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            socket.close();
        }
    }

    private void maybeClose() {
        if (socketInputDone && socketOutputDone) {
            ssh.close();
        }
    }

    private void releaseEarly() {
        ByteBuf b;
        while ((b = early.poll()) != null) {
            b.release();
        }
    }
}
