package dev.sluice.benchmarks.setup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side of the connection-setup benchmark, one process per row: runs {@code --parallel} loops that each make
 * full connections one after another (TCP connect, key exchange, host key check, publickey login, a direct-tcpip
 * channel opened and closed, disconnect) against a server started by {@link SetupBenchmark}.
 *
 * <p>It talks to the driver over its standard streams: after the warm-up it prints {@code READY} and waits for a
 * {@code GO} line (so the driver can read the server's CPU time exactly around the measured phase), then measures for
 * {@code --seconds} and prints one {@code RESULT} line. The channel's target is a listener in this process that
 * accepts and closes at once, so the channel ends as soon as it is open.
 *
 * <pre>java ... SetupClient --impl sluice|mina|openssh --port N --key FILE --cipher NAME
 *          --warmup-seconds W --seconds S --parallel P</pre>
 */
public final class SetupClient {
    private SetupClient() {
    }

    /** One way of making a full connection; implementations must be safe to call from several threads. */
    interface Connector extends AutoCloseable {
        void connectOnce() throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String impl = option(args, "--impl");
        int port = Integer.parseInt(option(args, "--port"));
        Path key = Path.of(option(args, "--key"));
        String cipher = option(args, "--cipher");
        double warmupSeconds = Double.parseDouble(option(args, "--warmup-seconds"));
        double seconds = Double.parseDouble(option(args, "--seconds"));
        int parallel = Integer.parseInt(option(args, "--parallel"));

        try (ClosingListener target = new ClosingListener();
                Connector connector = connector(impl, port, key, cipher, target.port(), parallel)) {
            run(connector, parallel, warmupSeconds, new ArrayList<>());
            System.out.println("READY");
            System.out.flush();
            String go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (!"GO".equals(go)) {
                throw new IllegalStateException("expected GO from the driver, got " + go);
            }
            long[] cpu0 = cpuTicks();
            long start = System.nanoTime();
            List<long[]> latencies = new ArrayList<>();
            Outcome outcome = run(connector, parallel, seconds, latencies);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] cpu1 = cpuTicks();
            // ssh runs in child processes (counted in cutime+cstime once reaped); the Java clients run in this one.
            boolean children = impl.equals("openssh");
            long ticks = children ? (cpu1[1] - cpu0[1]) : (cpu1[0] - cpu0[0]);
            long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
            System.out.printf(Locale.ROOT, "RESULT connections=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f cpu_s=%.3f "
                            + "failures=%d%s%n", all.length, elapsed, percentile(all, 0.50) / 1e6,
                    percentile(all, 0.99) / 1e6, ticks / clockTicks(), outcome.failures,
                    outcome.firstFailure == null ? "" : " first_failure=" + outcome.firstFailure.replace('\n', ' '));
            System.out.flush();
        }
        System.exit(0);
    }

    private record Outcome(int failures, String firstFailure) {
    }

    /** Runs {@code parallel} sequential loops for {@code seconds}; each loop's latencies (ns) go into one array. */
    private static Outcome run(Connector connector, int parallel, double seconds, List<long[]> latencies)
            throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            long[] mine = new long[1 << 20];
            latencies.add(mine);
            Thread t = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < deadline && n < mine.length) {
                    long t0 = System.nanoTime();
                    try {
                        connector.connectOnce();
                        mine[n++] = System.nanoTime() - t0;
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                    }
                }
            }, "setup-loop-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Outcome(failures.get(), firstFailure.get());
    }

    private static Connector connector(String impl, int port, Path key, String cipher, int targetPort,
            int parallel) throws Exception {
        return switch (impl) {
            case "sluice" -> new SluiceConnector(port, key, cipher, targetPort, parallel);
            case "mina" -> new MinaConnector(port, key, cipher, targetPort);
            case "openssh" -> new OpenSshConnector(port, key, cipher, targetPort);
            default -> throw new IllegalArgumentException("unknown --impl " + impl);
        };
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {utime+stime, cutime+cstime} of this process from /proc/self/stat (fields 14–17), in clock ticks. */
    private static long[] cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            return Double.parseDouble(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 100;
        }
    }

    static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name);
    }

    /** Accepts connections and closes them at once: the far end of every benchmark channel. */
    private static final class ClosingListener implements AutoCloseable {
        private final ServerSocket socket;

        ClosingListener() throws IOException {
            socket = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::acceptLoop, "closing-listener");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    s.shutdownOutput();
                } catch (IOException e) {
                    // closed, or a client gave up; keep accepting until closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
