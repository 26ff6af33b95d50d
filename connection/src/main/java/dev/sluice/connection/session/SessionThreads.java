package dev.sluice.connection.session;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that do the blocking stream I/O of sessions (process pipes, a terminal), off the event loops. Cached and
 * daemon: a session uses up to three while it runs (stdin, stdout, stderr), and an idle thread ends after a minute.
 */
final class SessionThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();
    static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "sluice-session-io-" + COUNT.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private SessionThreads() {
    }
}
