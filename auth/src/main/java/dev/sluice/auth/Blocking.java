package dev.sluice.auth;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where authentication work that may block runs (prompts, agent signatures, password hashes, PAM-like checks): never
 * on an event loop. Daemon threads, created on demand and gone when idle.
 */
final class Blocking {
    static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sluice-auth");
        t.setDaemon(true);
        return t;
    });

    private Blocking() {
    }
}
