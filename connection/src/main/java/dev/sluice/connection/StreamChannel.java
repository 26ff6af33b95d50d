package dev.sluice.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Netty {@link io.netty.channel.Channel} over a pair of blocking streams, such as a ProxyCommand's standard output
 * and input: the transport pipeline runs on it as on a TCP socket.
 *
 * <p>Streams block, so each has a daemon thread of its own; no pooled buffer leaves the event loop. The reader hands
 * each chunk to the loop as an unpooled heap buffer and fires it down the pipeline (how much can arrive is bounded by
 * the SSH windows and key exchange, as on a socket whose reads are never paused). The writer takes one batch of what
 * was flushed at a time, copied to an array on the loop; the rest waits in Netty's outbound buffer, whose water marks
 * make this channel unwritable while the stream is slow, so the connection pauses its sources as on a full socket.
 * End of input, a read or write error, or {@link #close()} closes both streams.
 */
final class StreamChannel extends ConnectedChannel {
    private static final Logger LOG = LoggerFactory.getLogger(StreamChannel.class);
    private static final int CHUNK = 32 * 1024;
    /** How much one write to the stream takes at most; the rest stays queued (and counted) in Netty's buffer. */
    private static final int MAX_BATCH = 256 * 1024;

    private final InputStream in;
    private final OutputStream out;
    private final ExecutorService writer;
    private volatile boolean open = true;
    /** A batch is being written by the writer thread; confined to the event loop. */
    private boolean writing;

    /**
     * @param in what the peer sends (e.g. the proxy process's standard output)
     * @param out where to send (its standard input)
     * @param host the host the streams lead to, for {@link #remoteAddress()} (unresolved)
     */
    StreamChannel(InputStream in, OutputStream out, String host, int port) {
        super(null, host, port, "a stream channel");
        this.in = in;
        this.out = out;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-stream-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts reading; call once the channel is registered. */
    void startReading() {
        Thread reader = new Thread(this::readLoop, "sluice-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        byte[] buffer = new byte[CHUNK];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                byte[] chunk = Arrays.copyOf(buffer, n);
                eventLoop().execute(() -> {
                    if (isActive()) {
                        pipeline().fireChannelRead(Unpooled.wrappedBuffer(chunk));
                        pipeline().fireChannelReadComplete();
                    }
                });
            }
        } catch (IOException e) {
            if (open) {
                LOG.debug("reading the stream: {}", e.toString());
            }
        }
        try {
            eventLoop().execute(() -> close());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The loop has shut down, and the channel with it.
        }
    }

    // ---- Netty channel ----------------------------------------------------------------------------------------



    @Override
    protected SocketAddress localAddress0() {
        return null;
    }




    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        open = false;
        // The writer finishes what it took, then closing the output tells the other end we are done.
        writer.execute(() -> {
            closeQuietly(out);
            closeQuietly(in);
        });
        writer.shutdown();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing a stream: {}", e.toString());
        }
    }

    @Override
    protected void doBeginRead() {
        // The reader thread delivers data as it arrives.
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer buffer) {
        if (writing || !open) {
            return;
        }
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        Object msg;
        while (batch.size() < MAX_BATCH && (msg = buffer.current()) != null) {
            ByteBuf data = (ByteBuf) msg;
            int n = data.readableBytes();
            if (n > 0) {
                byte[] bytes = new byte[n];
                data.getBytes(data.readerIndex(), bytes);
                batch.writeBytes(bytes);
            }
            buffer.remove();
        }
        if (batch.size() == 0) {
            return;
        }
        byte[] bytes = batch.toByteArray();
        writing = true;
        writer.execute(() -> {
            boolean ok;
            try {
                out.write(bytes);
                out.flush();
                ok = true;
            } catch (IOException e) {
                LOG.debug("writing the stream: {}", e.toString());
                ok = false;
            }
            boolean written = ok;
            eventLoop().execute(() -> {
                writing = false;
                if (!written) {
                    close();
                } else if (isActive()) {
                    writeQueued();
                }
            });
        });
    }



    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }
}
