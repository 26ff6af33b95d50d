package dev.sluice.interop;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Records what in-process Sluice components log, so tests can assert on their log lines as they do on sshd's.
 *
 * <p>slf4j-simple (the test binding) writes to whatever {@code System.err} is at the moment of each log call, so
 * {@link #install()} replaces it once with a tee: everything still reaches the original stream (and surefire's
 * report), and a copy is kept here. Positions are absolute, so a test takes a {@link #mark()} before it acts and
 * searches only what was logged after it. Bounded: past {@value #MAX_CHARS} characters the oldest text is dropped.
 *
 * <p>Thread-safe.
 */
final class LogCapture {
    private static final int MAX_CHARS = 16 << 20;
    private static final StringBuilder TEXT = new StringBuilder();
    /** Characters dropped from the front of {@link #TEXT}, so that marks stay absolute. */
    private static long dropped;
    private static boolean installed;

    private LogCapture() {
    }

    /** Tees System.err into the capture; idempotent. */
    static synchronized void install() {
        if (!installed) {
            installed = true;
            System.setErr(new PrintStream(new Tee(System.err), true, StandardCharsets.UTF_8));
        }
    }

    /** The current end of the log, to search from later. */
    static long mark() {
        synchronized (TEXT) {
            return dropped + TEXT.length();
        }
    }

    /** Everything logged since {@code mark} (as much of it as is still kept). */
    static String since(long mark) {
        synchronized (TEXT) {
            return TEXT.substring((int) Math.max(0, mark - dropped));
        }
    }

    /**
     * Waits until a line containing {@code needle} is logged after {@code mark} and returns that line.
     *
     * @throws AssertionError on timeout, with what was logged meanwhile
     */
    static String await(long mark, String needle, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (TEXT) {
            while (true) {
                int from = (int) Math.max(0, mark - dropped);
                int at = TEXT.indexOf(needle, from);
                if (at >= 0) {
                    int start = Math.max(from, TEXT.lastIndexOf("\n", at) + 1);
                    int end = TEXT.indexOf("\n", at);
                    return TEXT.substring(start, end < 0 ? TEXT.length() : end);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no log line with \"" + needle + "\" within " + timeout
                            + "; logged meanwhile:\n" + TEXT.substring(from));
                }
                try {
                    TEXT.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for \"" + needle + "\"", e);
                }
            }
        }
    }

    private static void append(byte[] b, int off, int len) {
        synchronized (TEXT) {
            // ISO-8859-1 maps every byte to one char, so a multi-byte character split across writes cannot fail.
            TEXT.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
            int excess = TEXT.length() - MAX_CHARS;
            if (excess > 0) {
                TEXT.delete(0, excess);
                dropped += excess;
            }
            TEXT.notifyAll();
        }
    }

    /** Passes everything to the original stream and keeps a copy. */
    private static final class Tee extends FilterOutputStream {
        Tee(OutputStream original) {
            super(original);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            append(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            append(b, off, len);
        }
    }
}
