package dev.sluice.interop.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Unix-domain socket ends for forwarding tests: a sink+source target listening on a path (the counterpart of
 * {@link TcpTargets#sinkSource}) and a client exchange with one, both moving {@link DataPump}'s seeded stream so
 * hashes compare with {@link DataPump#sha256Of}. The Socket API has no Unix sockets, so these use SocketChannel,
 * reading and writing from two threads (its streams would serialize the two directions on one lock).
 */
public final class UnixSockets {
    private static final ExecutorService ASYNC = Executors.newCachedThreadPool(DataPump.daemon("unix-socket"));

    private UnixSockets() {
    }

    /** Connects to {@code path}, sends {@code bytes} of the stream for {@code seed}, half-closes, reads to EOF. */
    public static DataPump.Result exchange(Path path, long bytes, long seed, Duration timeout) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return exchange(ch, bytes, seed, timeout);
        }
    }

    /** Starts a target on {@code path} that exchanges {@code bytes} of the stream for {@code seed} with one client. */
    public static SinkSource sinkSource(Path path, long bytes, long seed, Duration timeout) throws IOException {
        return new SinkSource(path, bytes, seed, timeout);
    }

    private static DataPump.Result exchange(SocketChannel ch, long bytes, long seed, Duration timeout)
            throws IOException {
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return send(ch, bytes, seed);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ASYNC);
        CompletableFuture<long[]> count = new CompletableFuture<>();
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
            try {
                long[] n = new long[1];
                String sha = receive(ch, n);
                count.complete(n);
                return sha;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ASYNC);
        try {
            CompletableFuture.allOf(sent, received).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new DataPump.Result(bytes, sent.get(), count.get()[0], received.get());
        } catch (TimeoutException e) {
            ch.close();
            throw new AssertionError("Unix socket exchange not finished within " + timeout, e);
        } catch (ExecutionException e) {
            throw new IOException("Unix socket exchange failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String send(SocketChannel ch, long bytes, long seed) throws IOException {
        MessageDigest digest = DataPump.sha256();
        DataPump.Stream stream = new DataPump.Stream(seed);
        for (long left = bytes; left > 0; ) {
            byte[] block = stream.next();
            int n = (int) Math.min(left, block.length);
            digest.update(block, 0, n);
            ByteBuffer buf = ByteBuffer.wrap(block, 0, n);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            left -= n;
        }
        ch.shutdownOutput();
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String receive(SocketChannel ch, long[] count) throws IOException {
        MessageDigest digest = DataPump.sha256();
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        for (int n; (n = ch.read(buf)) >= 0; ) {
            buf.flip();
            digest.update(buf);
            buf.clear();
            count[0] += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A Unix-socket target that sends seeded data to its first client while hashing what it receives. */
    public static final class SinkSource implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Path path;
        private final CompletableFuture<DataPump.Result> first = new CompletableFuture<>();

        private SinkSource(Path path, long bytes, long seed, Duration timeout) throws IOException {
            this.path = path;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            ASYNC.execute(() -> {
                try (SocketChannel ch = server.accept()) {
                    first.complete(exchange(ch, bytes, seed, timeout));
                } catch (Throwable t) {
                    first.completeExceptionally(t);
                }
            });
        }

        /** The path it listens on. */
        public Path path() {
            return path;
        }

        /** What the first connection sent and received, once it finished. */
        public DataPump.Result awaitConnection(Duration wait) {
            try {
                return first.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no connection on " + path + " finished within " + wait);
            } catch (ExecutionException e) {
                throw new AssertionError("connection on " + path + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(path);
        }
    }
}
