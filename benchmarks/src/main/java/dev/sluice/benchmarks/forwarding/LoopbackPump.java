package dev.sluice.benchmarks.forwarding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The in-process data source and sink for the forwarding benchmark: a loopback target server plus the client end that
 * pushes a volume through a tunnel (or straight to the target, for the plain-TCP ceiling).
 *
 * <p>Both ends use blocking NIO channels with 1 MiB direct buffers and write the same random block over and over, so
 * producing and consuming a byte costs one kernel copy and nothing else: the tunnel is what limits the rate. A
 * transfer is timed from the sender's first write to the receiver's last byte. One transfer at a time; each uses a new
 * TCP connection (a new SSH channel through a tunnel).
 */
final class LoopbackPump implements AutoCloseable {
    private static final int BLOCK = 1 << 20;

    /** Which end sends: {@code UP} is client → target (through the tunnel's client first), {@code DOWN} the reverse. */
    enum Direction { UP, DOWN }

    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final ByteBuffer block;
    private volatile Transfer current;

    LoopbackPump() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        byte[] random = new byte[BLOCK];
        new SplittableRandom(42).nextBytes(random);
        block = ByteBuffer.allocateDirect(BLOCK).put(random).flip();
        acceptor = new Thread(this::acceptLoop, "pump-target");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The target's port on 127.0.0.1. */
    int targetPort() {
        return server.socket().getLocalPort();
    }

    /**
     * Moves {@code bytes} through a connection to {@code 127.0.0.1:port} (which leads to {@link #targetPort()}) and
     * returns the elapsed nanoseconds.
     *
     * @throws IOException if either end fails, the receiver gets fewer bytes than sent, or the timeout passes
     */
    long transfer(int port, long bytes, Direction direction, Duration timeout) throws IOException {
        Transfer transfer = new Transfer(bytes, direction);
        current = transfer;
        try (SocketChannel client = SocketChannel.open()) {
            client.socket().setTcpNoDelay(true);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            CompletableFuture<Long> clientEnd = CompletableFuture.supplyAsync(() -> {
                try {
                    return direction == Direction.UP ? send(client, bytes, transfer) : receive(client, bytes, transfer);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, r -> newThread(r, "pump-client").start());
            try {
                long end = CompletableFuture.allOf(clientEnd, transfer.targetDone).thenApply(v -> transfer.endNanos)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return end - transfer.startNanos;
            } catch (TimeoutException e) {
                throw new IOException("transfer of " + bytes + " bytes not finished within " + timeout + " ("
                        + transfer.received + " received)");
            } catch (ExecutionException e) {
                throw new IOException("transfer failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        } finally {
            current = null;
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel accepted;
            try {
                accepted = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Transfer transfer = current;
            newThread(() -> serve(accepted, transfer), "pump-target-connection").start();
        }
    }

    private void serve(SocketChannel channel, Transfer transfer) {
        try (channel) {
            if (transfer == null) {
                return; // a stray connection outside a transfer: close it
            }
            channel.socket().setTcpNoDelay(true);
            long result = transfer.direction == Direction.UP
                    ? receive(channel, transfer.bytes, transfer)
                    : send(channel, transfer.bytes, transfer);
            transfer.targetDone.complete(result);
        } catch (IOException | RuntimeException e) {
            if (transfer != null) {
                transfer.targetDone.completeExceptionally(e);
            }
        }
    }

    /** Writes {@code bytes}, half-closes, then waits for the peer's EOF so the connection ends cleanly. */
    private long send(SocketChannel channel, long bytes, Transfer transfer) throws IOException {
        ByteBuffer out = block.duplicate();
        transfer.markStart();
        for (long left = bytes; left > 0; ) {
            out.clear().limit((int) Math.min(BLOCK, left));
            while (out.hasRemaining()) {
                left -= channel.write(out);
            }
        }
        channel.shutdownOutput();
        ByteBuffer drain = ByteBuffer.allocate(1);
        while (channel.read(drain.clear()) >= 0) {
            // The receiver sends nothing; this only waits for its close.
        }
        return bytes;
    }

    /** Reads until {@code bytes} have arrived (recording the time), then until EOF, then half-closes. */
    private long receive(SocketChannel channel, long bytes, Transfer transfer) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(BLOCK);
        long total = 0;
        int n;
        while ((n = channel.read(in.clear())) >= 0) {
            total += n;
            transfer.received = total;
            if (total == bytes) {
                transfer.markEnd();
            }
        }
        channel.shutdownOutput();
        if (total != bytes) {
            throw new IOException("received " + total + " of " + bytes + " bytes before EOF");
        }
        return total;
    }

    private static Thread newThread(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** Timing and completion of one transfer; written by the two ends' threads. */
    private static final class Transfer {
        final long bytes;
        final Direction direction;
        final CompletableFuture<Long> targetDone = new CompletableFuture<>();
        volatile long startNanos;
        volatile long endNanos;
        volatile long received;

        Transfer(long bytes, Direction direction) {
            this.bytes = bytes;
            this.direction = direction;
        }

        void markStart() {
            startNanos = System.nanoTime();
        }

        void markEnd() {
            endNanos = System.nanoTime();
        }
    }
}
