package dev.sluice.interop.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Pushes seeded pseudo-random bytes through a TCP connection while reading everything the other side sends, and
 * reports SHA-256 digests of both directions, so a test can prove that hundreds of MiB crossed a tunnel intact.
 *
 * <p>Both directions run at once (a sender thread and the calling thread as receiver), which is what exposes
 * flow-control deadlocks: a tunnel that only works one direction at a time stalls here. When the sender is done it
 * calls {@code shutdownOutput()}, and the exchange ends when the peer's EOF arrives.
 *
 * <h3>Data</h3>
 * The stream for a seed is a 1 MiB random block, reused for every block with a per-block stamp written every 4 KiB,
 * so no two blocks (and no two 4 KiB pages within a block) are equal, yet producing it costs nothing: the digests and
 * the tunnel are what is measured. {@link #sha256Of} computes the digest of a stream without a socket.
 */
public final class DataPump {
    /** Size of the reused random block and of each write. */
    static final int BLOCK = 1 << 20;
    private static final int STAMP_SPACING = 4096;

    private static final ExecutorService SENDERS = Executors.newCachedThreadPool(daemon("data-pump-sender"));
    private static final ScheduledExecutorService WATCHDOG =
            Executors.newSingleThreadScheduledExecutor(daemon("data-pump-watchdog"));

    private DataPump() {
    }

    /**
     * What one end of an exchange sent and received.
     *
     * @param sent bytes written
     * @param sentSha256 lower-case hex SHA-256 of the bytes written
     * @param received bytes read until EOF
     * @param receivedSha256 lower-case hex SHA-256 of the bytes read
     */
    public record Result(long sent, String sentSha256, long received, String receivedSha256) {
    }

    /** Connects to {@code 127.0.0.1:port} and runs {@link #exchange(Socket, long, long, Duration)} on it. */
    public static Result exchange(int port, long bytesToSend, long seed, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(TcpPorts.loopback(), port), (int) Math.min(timeout.toMillis(), 30_000));
            return exchange(socket, bytesToSend, seed, timeout);
        }
    }

    /**
     * Sends {@code bytesToSend} bytes of the stream for {@code seed}, half-closes, and concurrently reads until EOF.
     * Does not close the socket.
     *
     * @throws IOException when the connection fails in either direction
     * @throws AssertionError when both directions are not finished within {@code timeout} (the socket is then closed
     *     to unblock the threads)
     */
    public static Result exchange(Socket socket, long bytesToSend, long seed, Duration timeout) throws IOException {
        long[] received = new long[1];
        Future<String> sender = SENDERS.submit(() -> send(socket, bytesToSend, seed));
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(socket), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            String receivedSha;
            try {
                receivedSha = receive(socket, received);
            } catch (IOException e) {
                closeQuietly(socket); // unblocks the sender, which an interrupt would not
                throw failure(watchdog, timeout, "receiving after " + received[0] + " bytes", e);
            }
            String sentSha;
            try {
                sentSha = sender.get();
            } catch (ExecutionException e) {
                throw failure(watchdog, timeout, "sending", e.getCause());
            }
            return new Result(bytesToSend, sentSha, received[0], receivedSha);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(socket);
            throw new IOException("interrupted", e);
        } finally {
            watchdog.cancel(false);
        }
    }

    /** The SHA-256 (lower-case hex) of the first {@code bytes} bytes of the stream for {@code seed}. */
    public static String sha256Of(long bytes, long seed) {
        MessageDigest digest = sha256();
        Stream stream = new Stream(seed);
        for (long left = bytes; left > 0; ) {
            byte[] block = stream.next();
            int n = (int) Math.min(left, block.length);
            digest.update(block, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String send(Socket socket, long bytes, long seed) throws IOException {
        MessageDigest digest = sha256();
        Stream stream = new Stream(seed);
        OutputStream out = socket.getOutputStream();
        for (long left = bytes; left > 0; ) {
            byte[] block = stream.next();
            int n = (int) Math.min(left, block.length);
            digest.update(block, 0, n);
            out.write(block, 0, n);
            left -= n;
        }
        out.flush();
        socket.shutdownOutput();
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String receive(Socket socket, long[] count) throws IOException {
        MessageDigest digest = sha256();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[256 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            count[0] += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The exception for a failed direction: an AssertionError (thrown) if the watchdog fired, else an IOException. */
    private static IOException failure(ScheduledFuture<?> watchdog, Duration timeout, String what, Throwable cause) {
        if (watchdog.isDone() && !watchdog.isCancelled()) {
            throw new AssertionError("data exchange not finished within " + timeout + " (failed while " + what + ")",
                    cause);
        }
        return new IOException("data exchange failed while " + what + ": " + cause.getMessage(), cause);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing only to unblock or clean up; the original failure is what matters.
        }
    }

    static ThreadFactory daemon(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The deterministic byte stream for one seed, one reused block at a time. */
    static final class Stream {
        private final byte[] block = new byte[BLOCK];
        private final long seed;
        private long index;

        Stream(long seed) {
            this.seed = seed;
            new SplittableRandom(seed).nextBytes(block);
        }

        /** The next block; the same array each time, overwritten in place, so consume it before the next call. */
        byte[] next() {
            long stamp = mix(seed ^ (index++ * 0x9E3779B97F4A7C15L));
            for (int at = 0; at < BLOCK; at += STAMP_SPACING) {
                long value = stamp + at;
                for (int i = 0; i < Long.BYTES; i++) {
                    block[at + i] = (byte) (value >>> (8 * i));
                }
            }
            return block;
        }

        /** A 64-bit finalizer (SplitMix64's) so consecutive block indices give unrelated stamps. */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
