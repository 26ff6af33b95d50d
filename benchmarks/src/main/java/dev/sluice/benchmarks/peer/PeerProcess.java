package dev.sluice.benchmarks.peer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One benchmarked peer process (ssh, sshd, or a Sluice client or server started through the launcher): its output is
 * drained into bounded buffers, readiness is awaited from its output or the kernel's socket table, and its CPU time is
 * read from {@code /proc} for the whole process tree.
 *
 * <h3>CPU accounting</h3>
 * sshd forks a privileged child per connection and that child forks the unprivileged one that moves the data, so a
 * process alone undercounts. {@link #treeCpuSeconds()} sums utime+stime of the process and every live descendant,
 * plus cutime+cstime (time of children already reaped), so no process is counted twice or missed.
 */
public final class PeerProcess implements AutoCloseable {
    private static final int KEPT_CHARS = 64 * 1024;
    private static final double TICKS_PER_SECOND = clockTicks();

    private final String name;
    private final Process process;
    private final Tail stdout;
    private final Tail stderr;

    private PeerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdout = new Tail(process.getInputStream(), name + " stdout");
        this.stderr = new Tail(process.getErrorStream(), name + " stderr");
    }

    /** Starts {@code command} in {@code workDir} with standard input from /dev/null. */
    public static PeerProcess start(String name, List<String> command, Path workDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return new PeerProcess(name, builder.start());
    }

    /** Starts {@code command} with a pipe on its standard input, for drivers that talk to it line by line. */
    public static PeerProcess startWithInput(String name, List<String> command, Path workDir) throws IOException {
        return new PeerProcess(name, new ProcessBuilder(command).directory(workDir.toFile()).start());
    }

    /** Writes one line to the process's standard input (started with {@link #startWithInput}). */
    public void sendLine(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for a stdout line matching {@code test} and returns it. */
    public String awaitStdoutLine(Predicate<String> test, Duration timeout) throws IOException {
        return stdout.await(test, timeout, this);
    }

    /** Waits for a stderr line matching {@code test} and returns it. */
    public String awaitStderrLine(Predicate<String> test, Duration timeout) throws IOException {
        return stderr.await(test, timeout, this);
    }

    /** Waits until something listens on {@code port}, without connecting (which would open a tunnel channel). */
    public void awaitListening(int port, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isListening(port)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited before listening on " + port + "\n" + describe());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " not listening on " + port + " after " + timeout + "\n" + describe());
            }
            sleep(20);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** CPU seconds (user+system) used so far by the process and all its descendants. */
    public double treeCpuSeconds() throws IOException {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        process.toHandle().descendants().forEach(tree::add);
        long ticks = 0;
        for (ProcessHandle handle : tree) {
            ticks += cpuTicks(handle.pid());
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** The last output of both streams, for error reports. */
    public String describe() {
        return "---- " + name + " (pid " + pid() + (process.isAlive() ? ", running" : ", exit " + process.exitValue())
                + ")\nstdout: " + stdout.text() + "\nstderr: " + stderr.text();
    }

    /** Stops the process tree: SIGTERM, then SIGKILL after two seconds. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>();
        process.toHandle().descendants().forEach(tree::add);
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    /** utime+stime+cutime+cstime from /proc/PID/stat (fields 14–17), 0 if the process is gone. */
    public static long cpuTicks(long pid) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            return 0;
        }
        // The command name (field 2) is in parentheses and may contain spaces; fields after it are plain.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                + Long.parseLong(fields[14]);
    }

    /** Whether a socket listens on {@code port} per /proc/net/tcp and tcp6 (state 0A = LISTEN). */
    public static boolean isListening(int port) throws IOException {
        String suffix = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (NoSuchFileException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length > 3 && f[3].equals("0A") && f[1].endsWith(suffix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** USER_HZ, the unit of /proc/PID/stat times; 100 on every Linux we run on, but ask getconf to be sure. */
    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Double.parseDouble(out);
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    public static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Drains a stream, keeping the last {@link #KEPT_CHARS} characters, and lets callers wait for a line. */
    private static final class Tail {
        private final StringBuilder text = new StringBuilder();
        private boolean ended;

        Tail(InputStream in, String threadName) {
            Thread t = new Thread(() -> drain(in), threadName);
            t.setDaemon(true);
            t.start();
        }

        private void drain(InputStream in) {
            char[] chunk = new char[4096];
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = r.read(chunk)) >= 0) {
                    synchronized (this) {
                        text.append(chunk, 0, n);
                        if (text.length() > 2 * KEPT_CHARS) {
                            text.delete(0, text.length() - KEPT_CHARS);
                        }
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // Closed when the process ends.
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

        String await(Predicate<String> test, Duration timeout, PeerProcess owner) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (this) {
                while (true) {
                    // Only complete lines: a half-written "listening on 127.0.0.1:4" must not parse as port 4.
                    int complete = ended ? text.length() : text.lastIndexOf("\n") + 1;
                    for (String line : text.substring(0, complete).split("\n")) {
                        if (test.test(line)) {
                            return line;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (ended || left <= 0) {
                        break;
                    }
                    try {
                        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            }
            throw new IOException(owner.name + " did not print the expected line within " + timeout + "\n"
                    + owner.describe());
        }
    }
}
