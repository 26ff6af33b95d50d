package dev.sluice.connection.session;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ssh -W host:port}: a {@code direct-tcpip} channel whose data are two streams, usually this process's standard
 * input and output, so that another ssh can use the process as its ProxyCommand. Input is copied to the channel until
 * its end (then EOF); the channel's data is copied to the output until the server's EOF or CLOSE. Streams block, so
 * they are copied on daemon threads as a session's are.
 */
public final class StdioForward {
    /** The originator ssh names for a stdio forward (the channel has no socket of its own). */
    private static final String ORIGINATOR = "127.0.0.1";
    private static final int ORIGINATOR_PORT = 65535;

    private StdioForward() {
    }

    /**
     * Opens the channel and starts copying. The future fails with the server's
     * {@link dev.sluice.connection.ChannelOpenException} when the server refuses the channel, and otherwise completes
     * when the channel has closed and everything received has been written to {@code out}.
     */
    public static Future<Void> open(SshConnection connection, String host, int port, InputStream in,
            OutputStream out) {
        Promise<Void> done = connection.eventLoop().newPromise();
        Listener listener = new Listener(in, out, done);
        connection.openChannel(DirectTcpip.CHANNEL_TYPE,
                new DirectTcpip(host, port, ORIGINATOR, ORIGINATOR_PORT).encode(), listener).addListener(f -> {
                    if (!f.isSuccess()) {
                        done.tryFailure(f.cause());
                    }
                });
        return done;
    }

    /** Copies both ways; confined to the connection's event loop except for the streams' own threads. */
    private static final class Listener implements ChannelListener {
        private final InputStream in;
        private final OutputStream out;
        private final Promise<Void> done;
        /** The output written to its end, and the channel closed. */
        private final AtomicInteger pending = new AtomicInteger(2);
        private StreamSource source;
        private StreamSink sink;

        Listener(InputStream in, OutputStream out, Promise<Void> done) {
            this.in = in;
            this.out = out;
            this.done = done;
        }

        @Override
        public void onOpen(SshChannel channel) {
            sink = new StreamSink(channel, out, false, this::oneDone);
            source = new StreamSource(channel, in, false, channel::shutdownOutput);
            source.start();
        }

        @Override
        public void onData(SshChannel channel, ByteBuf data) {
            sink.offer(data);
        }

        @Override
        public void onEof(SshChannel channel) {
            sink.eof();
        }

        @Override
        public void onWritabilityChanged(SshChannel channel) {
            source.wake();
        }

        @Override
        public void onClose(SshChannel channel) {
            if (source == null) {
                return; // never opened: the open future says why
            }
            source.stop();
            sink.eof();
            oneDone();
        }

        private void oneDone() {
            if (pending.decrementAndGet() == 0) {
                done.trySuccess(null);
            }
        }
    }
}
