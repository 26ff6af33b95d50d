package dev.sluice.interop.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Loopback TCP servers that forwarded connections end at, and the client halves that go with them.
 *
 * <ul>
 *   <li>{@link #sinkSource}: for each connection, sends N seeded bytes while hashing everything it receives (the
 *       server side of {@link DataPump#exchange(int, long, long, Duration)});
 *   <li>{@link #echoAfterEof}: reads the whole request until the client's FIN, only then sends it back and closes,
 *       which passes only if a tunnel forwards a half-close without closing the other direction; pair it with
 *       {@link #assertEchoAfterHalfClose}.
 * </ul>
 *
 * <p>Every target records one {@link CompletableFuture} per accepted connection, in accept order, so tests can
 * assert on what each connection saw and on how many arrived.
 */
public final class TcpTargets {
    private static final ExecutorService ASYNC = Executors.newCachedThreadPool(DataPump.daemon("tcp-target"));

    private TcpTargets() {
    }

    /** Starts a sink+source target: each connection receives {@code bytesPerConnection} bytes of seed's stream. */
    public static SinkSource sinkSource(long bytesPerConnection, long seed, Duration timeout) {
        SinkSource target = new SinkSource(bytesPerConnection, seed, timeout);
        target.start();
        return target;
    }

    /** Starts an echo-after-EOF target. */
    public static EchoAfterEof echoAfterEof(Duration timeout) {
        EchoAfterEof target = new EchoAfterEof(timeout);
        target.start();
        return target;
    }

    /**
     * Connects to {@code 127.0.0.1:port}, writes {@code request}, half-closes with {@code shutdownOutput()}, and reads
     * until EOF.
     *
     * @return everything received
     */
    public static byte[] sendThenReadUntilEof(int port, byte[] request, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(TcpPorts.loopback(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            // The request may exceed every buffer on the way, so write on another thread while reading here.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(request);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, ASYNC);
            byte[] reply = readAll(socket.getInputStream());
            writer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("writing the request failed", e);
        }
    }

    /**
     * Asserts that a connection to {@code port} (which leads to an {@link #echoAfterEof} target) gets back all of a
     * {@code requestSize}-byte request after half-closing, followed by EOF.
     */
    public static void assertEchoAfterHalfClose(int port, int requestSize, Duration timeout) throws IOException {
        byte[] request = new byte[requestSize];
        new SplittableRandom(requestSize).nextBytes(request);
        byte[] reply = sendThenReadUntilEof(port, request, timeout);
        if (!Arrays.equals(request, reply)) {
            throw new AssertionError("after half-close expected the " + requestSize + "-byte request echoed back, got "
                    + reply.length + " bytes" + (reply.length == request.length ? " with different content" : ""));
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /**
     * The accept loop and per-connection bookkeeping shared by the targets.
     *
     * @param <R> what a connection's handler produces
     */
    abstract static class Target<R> implements AutoCloseable {
        private final ServerSocket server;
        private final List<CompletableFuture<R>> connections = new ArrayList<>();
        private final List<Socket> open = new ArrayList<>();
        private final Duration timeout;
        private final String name;

        Target(String name, Duration timeout) {
            this.name = name;
            this.timeout = timeout;
            try {
                server = new ServerSocket();
                server.bind(new InetSocketAddress(TcpPorts.loopback(), 0), 64);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
        }

        /** Starts accepting; separate from the constructor so subclasses are fully built before any handler runs. */
        final void start() {
            Thread acceptor = new Thread(this::acceptLoop, name + " acceptor on port " + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Handles one connection; runs on its own thread. The socket is closed afterwards. */
        abstract R handle(Socket socket) throws IOException;

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                CompletableFuture<R> result = new CompletableFuture<>();
                synchronized (this) {
                    connections.add(result);
                    open.add(socket);
                    notifyAll();
                }
                ASYNC.execute(() -> {
                    try (socket) {
                        result.complete(handle(socket));
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    } finally {
                        synchronized (this) {
                            open.remove(socket);
                        }
                    }
                });
            }
        }

        /** The port it listens on, on 127.0.0.1. */
        public int port() {
            return server.getLocalPort();
        }

        /** How many connections have been accepted so far. */
        public synchronized int accepted() {
            return connections.size();
        }

        /**
         * Waits for connection number {@code index} (0-based, in accept order) to be accepted and handled.
         *
         * @throws AssertionError if it is not accepted or finished in time, or its handler failed
         */
        public R awaitConnection(int index, Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            CompletableFuture<R> future;
            synchronized (this) {
                while (connections.size() <= index) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("connection #" + index + " never reached the target on port " + port()
                                + " (" + connections.size() + " accepted)");
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted", e);
                    }
                }
                future = connections.get(index);
            }
            try {
                return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("connection #" + index + " on port " + port() + " not finished within " + wait);
            } catch (ExecutionException e) {
                throw new AssertionError("connection #" + index + " on port " + port() + " failed: " + e.getCause(),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        Duration timeout() {
            return timeout;
        }

        /** Stops accepting and closes every open connection. */
        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // Already closed.
            }
            List<Socket> toClose;
            synchronized (this) {
                toClose = new ArrayList<>(open);
            }
            toClose.forEach(DataPump::closeQuietly);
        }
    }

    /** A target that sends seeded data on each connection while hashing what it receives. */
    public static final class SinkSource extends Target<DataPump.Result> {
        private final long bytesPerConnection;
        private final long seed;

        SinkSource(long bytesPerConnection, long seed, Duration timeout) {
            super("sink+source", timeout);
            this.bytesPerConnection = bytesPerConnection;
            this.seed = seed;
        }

        @Override
        DataPump.Result handle(Socket socket) throws IOException {
            return DataPump.exchange(socket, bytesPerConnection, seed, timeout());
        }
    }

    /** A target that echoes a request back only after the request's EOF, then closes. */
    public static final class EchoAfterEof extends Target<Long> {
        EchoAfterEof(Duration timeout) {
            super("echo-after-eof", timeout);
        }

        /** Returns the number of bytes echoed. */
        @Override
        Long handle(Socket socket) throws IOException {
            try {
                socket.setSoTimeout((int) timeout().toMillis());
                byte[] request = readAll(socket.getInputStream());
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
                return (long) request.length;
            } catch (SocketException e) {
                throw new IOException("echo-after-eof connection failed: " + e.getMessage(), e);
            }
        }
    }
}
