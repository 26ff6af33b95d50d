package dev.sluice.connection.session;

import dev.sluice.connection.SshChannel;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a channel's incoming data into a blocking {@link OutputStream} (a process's stdin, the client's stdout) on a
 * {@link SessionThreads} thread, crediting each chunk back to the peer only once it has been written. The queue needs
 * no bound of its own: the channel's receive window bounds what can be in it. The loop copies each chunk into an array
 * for the queue, so no buffer of the connection's allocator is used or released off its loop.
 *
 * <p>{@link #offer}, {@link #eof} and {@link #abort} are called on the event loop. {@code onDone} runs on the writing
 * thread once everything before EOF (or abort) is written and the stream flushed (or closed).
 */
final class StreamSink {
    private static final Logger log = LoggerFactory.getLogger(StreamSink.class);
    private static final Object EOF = new Object();
    private static final Object ABORT = new Object();

    private final SshChannel channel;
    private final OutputStream out;
    private final boolean closeOnEof;
    private final Runnable onDone;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private boolean started;
    private boolean ended;

    /**
     * @param closeOnEof close {@code out} at the peer's EOF (a process's stdin), or only flush it (the user's stdout)
     * @param onDone run on the writing thread when the sink has finished
     */
    StreamSink(SshChannel channel, OutputStream out, boolean closeOnEof, Runnable onDone) {
        this.channel = channel;
        this.out = out;
        this.closeOnEof = closeOnEof;
        this.onDone = onDone;
    }

    /** Queues a copy of {@code data}, which stays the caller's. */
    void offer(ByteBuf data) {
        if (ended) {
            channel.consumed(data.readableBytes());
            return;
        }
        byte[] copy = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), copy);
        startOnce();
        queue.add(copy);
    }

    /** The peer's EOF: everything queued is written, then the stream closed or flushed. */
    void eof() {
        end(EOF);
    }

    /** The channel is gone: drop what is queued and end. */
    void abort() {
        queue.clear();
        end(ABORT);
    }

    private void end(Object marker) {
        if (ended) {
            return;
        }
        ended = true;
        startOnce();
        queue.add(marker);
    }

    private void startOnce() {
        if (!started) {
            started = true;
            SessionThreads.POOL.execute(this::run);
        }
    }

    private void run() {
        boolean failed = false;
        try {
            while (true) {
                Object item = queue.take();
                if (item == ABORT) {
                    break;
                }
                if (item == EOF) {
                    try {
                        if (closeOnEof) {
                            out.close();
                        } else {
                            out.flush();
                        }
                    } catch (IOException e) {
                        log.debug("channel {}: closing the output failed: {}", channel.localId(), e.toString());
                    }
                    break;
                }
                byte[] data = (byte[]) item;
                try {
                    if (!failed) {
                        out.write(data);
                        if (queue.isEmpty()) {
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // The reader went away (a process that exited or closed its stdin): drop the rest, but keep
                    // crediting it, as OpenSSH does, so the peer never stalls.
                    log.debug("channel {}: write failed: {}", channel.localId(), e.toString());
                    failed = true;
                }
                channel.consumed(data.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            queue.clear();
            onDone.run();
        }
    }
}
