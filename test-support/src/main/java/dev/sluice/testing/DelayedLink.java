package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP relay on loopback that holds every byte for a fixed time in each direction: a long network path on one
 * machine, for tests and benchmarks of flow control (these machines have no {@code netem}).
 *
 * <p>Each accepted connection is relayed to the target by two threads per direction: a reader that takes bytes off
 * the socket as soon as they arrive and stamps them, and a writer that sends each chunk when its delay has passed.
 * So the relay itself is not a window: what is in flight on the emulated path is bounded only by
 * {@link #MAX_IN_FLIGHT} per direction, far above the rate × delay of the paths it emulates. Half-close passes
 * through (a FIN is delayed like data).
 */
public final class DelayedLink implements AutoCloseable {
    /** The most one direction holds; a reader waits beyond it. */
    public static final int MAX_IN_FLIGHT = 256 << 20;
    private static final int CHUNK = 64 << 10;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean closed;

    private DelayedLink(ServerSocket listener, InetSocketAddress target, Duration oneWay) {
        this.listener = listener;
        this.target = target;
        this.delayNanos = oneWay.toNanos();
    }

    /**
     * Starts relaying connections made to {@link #port()} on 127.0.0.1 to {@code target}, each byte delayed by
     * {@code oneWay} in each direction (so a round trip takes twice that longer).
     */
    public static DelayedLink start(InetSocketAddress target, Duration oneWay) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        DelayedLink link = new DelayedLink(listener, target, oneWay);
        daemon("delayed-link-accept", link::acceptLoop).start();
        return link;
    }

    /** The port to connect to instead of the target's. */
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                try {
                    out.connect(target);
                } catch (IOException e) {
                    in.close(); // the client sees its connection end, as it would on a refused path
                    continue;
                }
                for (Socket s : List.of(in, out)) {
                    s.setTcpNoDelay(true);
                    synchronized (sockets) {
                        sockets.add(s);
                    }
                }
                AtomicInteger open = new AtomicInteger(2);
                relay(in, out, open);
                relay(out, in, open);
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Relays one direction; the last of the pair to finish closes both sockets. */
    private void relay(Socket from, Socket to, AtomicInteger open) {
        Pipe pipe = new Pipe();
        daemon("delayed-link-read", () -> pipe.fill(from)).start();
        daemon("delayed-link-write", () -> {
            pipe.drain(to);
            if (open.decrementAndGet() == 0) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }).start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    /** One direction: chunks with the time each may leave, oldest first; an empty chunk is the FIN. */
    private final class Pipe {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
        private long held;

        void fill(Socket from) {
            try {
                // Not closed here: closing a socket's stream closes the socket, and the other direction may go on.
                InputStream in = from.getInputStream();
                byte[] buf = new byte[CHUNK];
                int n;
                while ((n = in.read(buf)) > 0) {
                    put(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
                }
            } catch (IOException e) {
                // A reset or our close: end this direction as if by FIN.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                put(new Chunk(System.nanoTime() + delayNanos, new byte[0]));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void put(Chunk c) throws InterruptedException {
            lock.lock();
            try {
                while (held + c.bytes.length > MAX_IN_FLIGHT) {
                    changed.await();
                }
                held += c.bytes.length;
                chunks.add(c);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void drain(Socket to) {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = take();
                    long wait;
                    while ((wait = c.due - System.nanoTime()) > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    if (c.bytes.length == 0) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(c.bytes);
                }
            } catch (SocketException e) {
                // The other side is gone; the reader ends on its own.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private Chunk take() throws InterruptedException {
            lock.lock();
            try {
                while (chunks.isEmpty()) {
                    changed.await();
                }
                Chunk c = chunks.poll();
                held -= c.bytes.length;
                changed.signalAll();
                return c;
            } finally {
                lock.unlock();
            }
        }
    }

    private record Chunk(long due, byte[] bytes) {
    }
}
