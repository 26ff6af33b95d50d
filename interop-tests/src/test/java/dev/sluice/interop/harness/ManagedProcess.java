package dev.sluice.interop.harness;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An external process started by a test (sshd, ssh, a Sluice launcher), with its stdout and stderr captured so tests can
 * wait for and assert on what it logs.
 *
 * <p>Output is drained by two daemon threads from the start, so a chatty process never blocks on a full pipe. Every
 * wait fails with an {@link AssertionError} that carries the command line and both logs, and the last processes
 * started are remembered so {@link DumpProcessLogsOnFailure} can print their logs when a test fails. {@link #close()}
 * ends the whole process tree: sshd forks a child per connection that outlives its parent otherwise.
 *
 * <p>Thread-safe.
 */
public final class ManagedProcess implements AutoCloseable {
    /** Keeps the most recent processes (and their logs) for {@link DumpProcessLogsOnFailure}; bounded to cap memory. */
    private static final int REMEMBERED = 32;
    private static final Deque<ManagedProcess> RECENT = new ArrayDeque<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final String name;
    private final List<String> command;
    private final Process process;
    private final long sequence;
    private final Capture stdout;
    private final Capture stderr;

    private ManagedProcess(String name, List<String> command, Process process) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.sequence = SEQUENCE.incrementAndGet();
        this.stdout = new Capture(name + " stdout", process.getInputStream());
        this.stderr = new Capture(name + " stderr", process.getErrorStream());
    }

    /** Starts {@code command} in the current directory with the inherited environment. */
    public static ManagedProcess start(String name, List<String> command) throws IOException {
        return start(name, command, Map.of(), null);
    }

    /**
     * Starts {@code command} with extra environment variables, in {@code workDir} (or the current directory when
     * {@code null}); stdin is closed at once, since none of our peers reads it in the modes tests use.
     */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
            Path workDir) throws IOException {
        return start(name, command, environment, workDir, Path.of("/dev/null"));
    }

    /** Starts {@code command} with its stdin read from {@code stdinFile} (e.g. data for {@code ssh host cat}). */
    public static ManagedProcess startWithInput(String name, List<String> command, Path stdinFile)
            throws IOException {
        return start(name, command, Map.of(), null, stdinFile);
    }

    private static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
            Path workDir, Path stdinFile) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.redirectInput(ProcessBuilder.Redirect.from(stdinFile.toFile()));
        ManagedProcess started = new ManagedProcess(name, command, builder.start());
        synchronized (RECENT) {
            RECENT.addLast(started);
            while (RECENT.size() > REMEMBERED) {
                RECENT.removeFirst();
            }
        }
        return started;
    }

    /** The label used in logs and failure messages. */
    public String name() {
        return name;
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** The underlying process. */
    public Process process() {
        return process;
    }

    /** The command line it was started with. */
    public List<String> command() {
        return command;
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process has written to stdout so far. */
    public String stdout() {
        return stdout.text();
    }

    /** Everything the process has written to stderr so far (where ssh and {@code sshd -e} log). */
    public String stderr() {
        return stderr.text();
    }

    /**
     * Waits until stdout contains {@code needle} and returns the first line that contains it.
     *
     * @throws AssertionError if the process exits first or the timeout passes
     */
    public String awaitStdout(String needle, Duration timeout) {
        return stdout.await(needle, timeout, this);
    }

    /**
     * Waits until stderr contains {@code needle} and returns the first line that contains it.
     *
     * @throws AssertionError if the process exits first or the timeout passes
     */
    public String awaitStderr(String needle, Duration timeout) {
        return stderr.await(needle, timeout, this);
    }

    /**
     * Waits for the process to exit and for its output to be fully read, and returns the exit status.
     *
     * @throws AssertionError if it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still running after " + timeout + "\n" + describe());
            }
            stdout.awaitEnd(GRACE);
            stderr.awaitEnd(GRACE);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    /** The command line, state and both logs, for failure messages. */
    public String describe() {
        String state = process.isAlive() ? "running" : "exited with " + process.exitValue();
        return "==== " + name + " (pid " + pid() + ", " + state + "): " + String.join(" ", command) + "\n"
                + "---- stdout:\n" + stdout.text() + "\n---- stderr:\n" + stderr.text() + "\n==== end of " + name;
    }

    /**
     * Ends the process and all its descendants: SIGTERM first, SIGKILL for whatever is left after a grace period.
     * Idempotent; the captured logs stay readable.
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>();
        process.toHandle().descendants().forEach(tree::add);
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle handle : tree) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                handle.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
        try {
            process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stdout.awaitEnd(GRACE);
        stderr.awaitEnd(GRACE);
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }

    /** Processes started after {@code sequence} or still running, oldest first. */
    static List<ManagedProcess> startedAfterOrAlive(long sequence) {
        List<ManagedProcess> result = new ArrayList<>();
        synchronized (RECENT) {
            for (ManagedProcess p : RECENT) {
                if (p.sequence > sequence || p.isAlive()) {
                    result.add(p);
                }
            }
        }
        return result;
    }

    /** The sequence number of the most recently started process (0 before any). */
    static long lastSequence() {
        return SEQUENCE.get();
    }

    /** Drains one output stream into memory and lets callers wait for a substring. */
    private static final class Capture {
        /** sshd at DEBUG3 can log per packet; past this the rest is dropped rather than filling the heap. */
        private static final int MAX_CHARS = 8 << 20;

        private final StringBuilder text = new StringBuilder();
        private final Thread reader;
        private boolean ended;
        private boolean truncated;

        Capture(String label, InputStream in) {
            reader = new Thread(() -> drain(in), label);
            reader.setDaemon(true);
            reader.start();
        }

        private void drain(InputStream in) {
            char[] chunk = new char[8192];
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = r.read(chunk)) >= 0) {
                    synchronized (this) {
                        int room = MAX_CHARS - text.length();
                        if (room > 0) {
                            text.append(chunk, 0, Math.min(n, room));
                        } else if (!truncated) {
                            truncated = true;
                            text.append("\n[... output truncated by the test harness ...]\n");
                        }
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // The stream closes when the process is destroyed; what was read so far is kept.
            } finally {
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }
        }

        synchronized String text() {
            return text.toString();
        }

        String await(String needle, Duration timeout, ManagedProcess owner) {
            String failure;
            synchronized (this) {
                long deadline = System.nanoTime() + timeout.toNanos();
                try {
                    while (true) {
                        int at = text.indexOf(needle);
                        if (at >= 0) {
                            int start = text.lastIndexOf("\n", at) + 1;
                            int end = text.indexOf("\n", at);
                            return text.substring(start, end < 0 ? text.length() : end);
                        }
                        if (ended) {
                            failure = owner.name + " ended its output without \"" + needle + "\"";
                            break;
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            failure = "no \"" + needle + "\" from " + owner.name + " within " + timeout;
                            break;
                        }
                        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for \"" + needle + "\" from " + owner.name, e);
                }
            }
            owner.settle();
            throw new AssertionError(failure + "\n" + owner.describe());
        }

        void awaitEnd(Duration timeout) {
            try {
                reader.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Gives a process whose output just ended a moment to exit, so failure messages show its exit status. */
    private void settle() {
        try {
            process.waitFor(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
