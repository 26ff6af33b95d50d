package dev.sluice.connection.session;

import dev.sluice.connection.SshChannel;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a blocking {@link InputStream} (a process's stdout or stderr, a terminal's input) into a channel, with the
 * channel's flow control: a thread reads one chunk only when the channel is writable, hands it to the event loop, and
 * waits until the loop says the channel can take more. So at most one chunk per stream is buffered beyond the peer's
 * window, however fast the stream produces, and a slow peer holds the producer back.
 *
 * <p>{@link #wake()} and {@link #stop()} are called on the event loop; the reading runs on a {@link SessionThreads}
 * thread into an array of its own, which the loop copies into a pooled buffer: no buffer of the connection's allocator
 * is touched off its loop. {@code onEnd} runs on the event loop once the stream has ended (EOF or a read error), unless stopped.
 */
final class StreamSource {
    private static final Logger log = LoggerFactory.getLogger(StreamSource.class);
    /** One read at most; a read returns what the pipe holds, so this caps a chunk, not a wait. */
    private static final int CHUNK = 32 * 1024;

    private final SshChannel channel;
    private final InputStream in;
    private final boolean stderr;
    private final Runnable onEnd;
    /** A permit means: the loop saw the channel writable after the last chunk; read the next one. */
    private final Semaphore go = new Semaphore(0);
    /** Filled by the reader, copied out by the loop before the reader's next permit. */
    private final byte[] buffer = new byte[CHUNK];
    /** Loop only: the reader waits for a permit. */
    private boolean parked = true;
    private volatile boolean stopped;

    /**
     * @param stderr send as extended data type 1 rather than data
     * @param onEnd run on the event loop after the stream's end has been reached (its data written before)
     */
    StreamSource(SshChannel channel, InputStream in, boolean stderr, Runnable onEnd) {
        this.channel = channel;
        this.in = in;
        this.stderr = stderr;
        this.onEnd = onEnd;
    }

    /** Starts the reading thread; it reads once the loop {@linkplain #wake() finds the channel writable}. */
    void start() {
        SessionThreads.POOL.execute(this::run);
        wake();
    }

    /** Event loop: the channel may have become writable; lets a parked reader go on. */
    void wake() {
        if (parked && channel.isWritable()) {
            parked = false;
            go.release();
        }
    }

    /** Event loop: the channel is gone or the peer wants no more of this stream; the reader ends without onEnd. */
    void stop() {
        stopped = true;
        go.release();
    }

    private void run() {
        try {
            while (true) {
                go.acquire();
                if (stopped) {
                    return;
                }
                int n;
                try {
                    n = in.read(buffer, 0, CHUNK);
                } catch (IOException e) {
                    if (!stopped) {
                        log.debug("channel {}: read of {} failed: {}", channel.localId(), stderr ? "stderr" : "stdout",
                                e.toString());
                    }
                    n = -1;
                }
                if (n < 0) {
                    onLoop(() -> {
                        if (!stopped) {
                            onEnd.run();
                        }
                    });
                    return;
                }
                int length = n;
                onLoop(() -> send(length));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RejectedExecutionException e) {
            // The event loop is shut down: the connection is gone.
        }
    }

    private void send(int length) {
        if (stopped) {
            return;
        }
        ByteBuf chunk = channel.connection().parent().alloc().heapBuffer(length);
        chunk.writeBytes(buffer, 0, length);
        if (stderr) {
            channel.writeExtended(1, chunk);
        } else {
            channel.write(chunk);
        }
        parked = true;
        wake();
    }

    private void onLoop(Runnable task) {
        channel.connection().eventLoop().execute(task);
    }
}
