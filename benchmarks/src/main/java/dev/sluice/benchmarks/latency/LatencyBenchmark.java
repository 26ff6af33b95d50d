package dev.sluice.benchmarks.latency;

import dev.sluice.benchmarks.peer.BenchmarkRun;
import dev.sluice.benchmarks.peer.Peer;
import dev.sluice.benchmarks.peer.PeerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round-trip latency of one byte through a {@code -L} tunnel, for each of OpenSSH → OpenSSH, Sluice → Sluice and
 * MINA SSHD → MINA SSHD (plus plain loopback TCP): first on an idle tunnel, then while a second channel of the same
 * SSH connection pushes bulk data as fast as it can. The second figure shows whether one bulk channel starves an
 * interactive one (a shared send queue in front of the socket would add its whole depth to every echo).
 *
 * <p>The target in this process reads the first byte of each connection: {@code E} makes it an echo, {@code D} a
 * discard sink. Each measurement sends one byte and waits for it to come back, {@code --rounds} times after
 * {@code --warmup} rounds, and reports the median and the 99th percentile.
 *
 * <pre>
 * options: --rounds 20000 --warmup 20000 --only plain,openssh,sluice,mina --cipher aes128-gcm@openssh.com
 *          --repo DIR --java PATH --classpath CP --out FILE
 * </pre>
 */
public final class LatencyBenchmark {
    private static final byte ECHO = 'E';
    private static final byte DISCARD = 'D';

    /** One row: percentiles in microseconds, idle and beside bulk data. */
    record Row(String label, double idleP50, double idleP99, double busyP50, double busyP99, double bulkMbPerSecond,
            String problem) {
    }

    private final Options options;

    private LatencyBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        LatencyBenchmark benchmark = new LatencyBenchmark(options);
        BenchmarkRun.run(options.common, benchmark::measureAll);
    }

    private String measureAll(Peer.Setup setup) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Target target = new Target()) {
            for (String which : options.only) {
                if (which.equals("plain")) {
                    rows.add(measure("plain TCP (floor)", target.port(), target));
                    continue;
                }
                Peer peer = Peer.valueOf(which.toUpperCase(Locale.ROOT));
                rows.add(measureThrough(setup, peer, target));
            }
        }
        return table(rows);
    }

    private Row measureThrough(Peer.Setup setup, Peer peer, Target target) {
        String label = peer.label() + " → " + peer.label();
        Peer.Server server = null;
        PeerProcess client = null;
        try {
            server = peer.startServer(setup);
            int listen = Peer.Setup.freePort();
            client = peer.startClient(setup, server.port(), options.common.cipher,
                    "127.0.0.1:" + listen + ":127.0.0.1:" + target.port());
            client.awaitListening(listen, Peer.STARTUP);
            return measure(label, listen, target);
        } catch (IOException | RuntimeException e) {
            System.err.println(label + " failed: " + e.getMessage());
            return new Row(label, 0, 0, 0, 0, 0, "failed: " + String.valueOf(e.getMessage()).lines().findFirst()
                    .orElse("?"));
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.process().close();
            }
        }
    }

    private Row measure(String label, int port, Target target) throws IOException {
        try (Socket echo = connect(port, ECHO)) {
            pingPong(echo, options.warmup);
            long[] idle = pingPong(echo, options.rounds);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong bulkBytes = new AtomicLong();
            Thread bulk = new Thread(() -> pushBulk(port, stop, bulkBytes), "bulk-sender");
            bulk.setDaemon(true);
            long start = System.nanoTime();
            bulk.start();
            long[] busy;
            try {
                // Let the bulk channel fill its window and the socket buffers before measuring beside it.
                PeerProcess.sleep(500);
                busy = pingPong(echo, options.rounds);
            } finally {
                stop.set(true);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            try {
                bulk.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Row row = new Row(label, percentile(idle, 0.50), percentile(idle, 0.99), percentile(busy, 0.50),
                    percentile(busy, 0.99), bulkBytes.get() / 1e6 / seconds, null);
            System.err.printf(Locale.ROOT, "%s: idle p50 %.0f µs p99 %.0f µs; beside bulk (%.0f MB/s) p50 %.0f µs "
                    + "p99 %.0f µs%n", label, row.idleP50, row.idleP99, row.bulkMbPerSecond, row.busyP50,
                    row.busyP99);
            return row;
        }
    }

    private static Socket connect(int port, byte mode) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 30_000);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(mode);
        return s;
    }

    /** Sends one byte and waits for it {@code rounds} times; returns each round trip in microseconds. */
    private static long[] pingPong(Socket socket, int rounds) throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        long[] micros = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            out.write(i & 0x7f);
            if (in.read() < 0) {
                throw new IOException("echo connection closed after " + i + " rounds");
            }
            micros[i] = (System.nanoTime() - t0) / 1000;
        }
        return micros;
    }

    private static void pushBulk(int port, AtomicBoolean stop, AtomicLong sent) {
        byte[] block = new byte[256 * 1024];
        try (Socket s = connect(port, DISCARD)) {
            OutputStream out = s.getOutputStream();
            while (!stop.get()) {
                out.write(block);
                sent.addAndGet(block.length);
            }
        } catch (IOException e) {
            System.err.println("bulk sender: " + e.getMessage());
        }
    }

    static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private String table(List<Row> rows) {
        double base = rows.stream().filter(r -> r.label.startsWith("OpenSSH") && r.problem == null)
                .mapToDouble(Row::idleP50).findFirst().orElse(0);
        StringBuilder out = new StringBuilder(BenchmarkRun.header("1-byte round trip through -L, loopback",
                options.common));
        out.append(String.format(Locale.ROOT, "- %s; %d round trips per figure after %d warm-up round trips; "
                + "\"beside bulk\": a second channel of the same SSH connection sends as fast as it can meanwhile"
                + "%n%n", options.common.cipher, options.rounds, options.warmup));
        out.append("| client → server | idle p50 µs | idle p99 µs | beside bulk p50 µs | beside bulk p99 µs "
                + "| bulk MB/s | idle p50 vs OpenSSH |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (r.problem != null) {
                out.append("| ").append(r.label).append(" | ").append(r.problem).append(" | | | | | |\n");
                continue;
            }
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s |%n", r.label,
                    r.idleP50, r.idleP99, r.busyP50, r.busyP99, r.bulkMbPerSecond,
                    base == 0 || r.label.startsWith("plain") ? "—" : String.format(Locale.ROOT, "%.2f×",
                            r.idleP50 / base)));
        }
        return out.toString();
    }

    /** The target: echo or discard by the first byte of each connection, a thread per connection. */
    private static final class Target implements AutoCloseable {
        private final ServerSocket server;

        Target() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::acceptLoop, "latency-target");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Thread t = new Thread(() -> serve(s), "latency-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                int mode = in.read();
                byte[] buffer = new byte[256 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (mode == ECHO) {
                        out.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Parsed command-line options. */
    static final class Options {
        int rounds = 20_000;
        int warmup = 20_000;
        List<String> only = List.of("plain", "openssh", "sluice", "mina");
        final BenchmarkRun.CommonOptions common = new BenchmarkRun.CommonOptions();

        static Options parse(String[] args) {
            Options o = new Options();
            BenchmarkRun.parse(args, o.common, (option, value) -> {
                switch (option) {
                    case "--rounds" -> o.rounds = Integer.parseInt(value);
                    case "--warmup" -> o.warmup = Integer.parseInt(value);
                    case "--only" -> o.only = Arrays.stream(value.split(",")).map(String::trim).toList();
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            return o;
        }
    }
}
