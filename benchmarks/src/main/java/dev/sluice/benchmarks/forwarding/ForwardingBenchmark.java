package dev.sluice.benchmarks.forwarding;

import dev.sluice.benchmarks.peer.BenchmarkRun;
import dev.sluice.benchmarks.peer.Peer;
import dev.sluice.benchmarks.peer.PeerProcess;
import dev.sluice.testing.DelayedLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * End-to-end {@code -L} forwarding benchmark: moves the same volume through a loopback tunnel for each cipher and each
 * client → server pairing of OpenSSH and Sluice, MINA SSHD → MINA SSHD, plus plain loopback TCP as the ceiling, and prints one markdown table
 * with the median throughput, CPU seconds per GB on each side, and the ratio to OpenSSH → OpenSSH.
 *
 * <p>Run through {@code benchmarks/run-forwarding.sh}, which builds the launcher's jar and this class first. The data
 * source and sink live in this JVM ({@link LoopbackPump}) and are warmed up before anything is measured; each pairing
 * gets one warm-up transfer (JIT for Sluice, caches for both) over the same SSH connection before the timed runs.
 *
 * <pre>
 * options: --size 1GiB   volume per run        --runs 3            timed runs per row
 *          --warmup SIZE (default min(size, 256MiB))                --direction up|down
 *          --only plain,openssh,sluice,sluice-openssh,openssh-sluice,mina (default: all)
 *          --ciphers aes128-gcm@openssh.com,...  --budget 540 (seconds; rows past it are skipped)
 *          --timeout 120 (seconds per transfer)  --repo DIR          --out FILE (also write the table there)
 *          --delay MS (a long path: every SSH connection, and plain TCP, crosses a {@link DelayedLink} adding MS
 *                      milliseconds each way; default 0, straight loopback)
 *          --java PATH --classpath CP (the JDK and class path for the MINA SSHD mains)
 * </pre>
 */
public final class ForwardingBenchmark {
    static final List<String> DEFAULT_CIPHERS =
            List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com");

    /** A client → server pairing; {@code PLAIN} has no tunnel at all. */
    enum Pairing {
        PLAIN("plain", "plain TCP (ceiling)", null, null),
        OPENSSH("openssh", "OpenSSH → OpenSSH", Peer.OPENSSH, Peer.OPENSSH),
        SLUICE("sluice", "Sluice → Sluice", Peer.SLUICE, Peer.SLUICE),
        SLUICE_OPENSSH("sluice-openssh", "Sluice → OpenSSH", Peer.SLUICE, Peer.OPENSSH),
        OPENSSH_SLUICE("openssh-sluice", "OpenSSH → Sluice", Peer.OPENSSH, Peer.SLUICE),
        MINA("mina", "MINA SSHD → MINA SSHD", Peer.MINA, Peer.MINA);

        final String key;
        final String label;
        final Peer client;
        final Peer server;

        Pairing(String key, String label, Peer client, Peer server) {
            this.key = key;
            this.label = label;
            this.client = client;
            this.server = server;
        }

        static Pairing byKey(String key) {
            for (Pairing p : values()) {
                if (p.key.equals(key)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown pairing " + key + "; use "
                    + Arrays.stream(values()).map(p -> p.key).collect(Collectors.joining(",")));
        }
    }

    /** The outcome of one row: per-run figures, or why there are none. */
    record Row(Pairing pairing, String cipher, List<Double> mbPerSecond, List<Double> clientCpuPerGb,
            List<Double> serverCpuPerGb, String problem) {
    }

    private final Options options;
    private final long started = System.nanoTime();

    private ForwardingBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("forwarding benchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        BenchmarkRun.run(options.common, new ForwardingBenchmark(options)::measureAll);
    }

    private String measureAll(Peer.Setup setup) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (LoopbackPump pump = new LoopbackPump()) {
            // Warm the pump itself so the first measured row does not pay for its JIT.
            for (int i = 0; i < 3; i++) {
                pump.transfer(pump.targetPort(), Math.min(options.warmup, 256L << 20), options.direction,
                        options.timeout);
            }
            if (options.pairings.contains(Pairing.PLAIN)) {
                rows.add(measure(pump, setup, Pairing.PLAIN, null));
            }
            for (String cipher : options.ciphers) {
                for (Pairing pairing : options.pairings) {
                    if (pairing != Pairing.PLAIN) {
                        rows.add(measure(pump, setup, pairing, cipher));
                    }
                }
            }
        }
        return table(rows);
    }

    private Row measure(LoopbackPump pump, Peer.Setup setup, Pairing pairing, String cipher) {
        List<Double> rates = new ArrayList<>();
        List<Double> clientCpu = new ArrayList<>();
        List<Double> serverCpu = new ArrayList<>();
        String name = pairing.label + (cipher == null ? "" : " " + cipher);
        if (remaining().isNegative()) {
            return new Row(pairing, cipher, rates, clientCpu, serverCpu, "skipped: time budget used up");
        }
        Peer.Server server = null;
        PeerProcess client = null;
        DelayedLink link = null;
        try {
            int port = pump.targetPort();
            if (pairing == Pairing.PLAIN && options.delayMillis > 0) {
                link = delayedLinkTo(port);
                port = link.port();
            } else if (pairing != Pairing.PLAIN) {
                server = pairing.server.startServer(setup);
                int sshPort = server.port();
                if (options.delayMillis > 0) {
                    link = delayedLinkTo(sshPort);
                    sshPort = link.port();
                }
                int listen = Peer.Setup.freePort();
                client = pairing.client.startClient(setup, sshPort, cipher,
                        "127.0.0.1:" + listen + ":127.0.0.1:" + pump.targetPort());
                client.awaitListening(listen, Peer.STARTUP);
                port = listen;
            }
            pump.transfer(port, options.warmup, options.direction, transferTimeout());
            for (int run = 0; run < options.runs; run++) {
                if (run > 0 && remaining().isNegative()) {
                    break; // keep the runs done so far; the table says how many
                }
                double c0 = client == null ? 0 : client.treeCpuSeconds();
                double s0 = server == null ? 0 : server.process().treeCpuSeconds();
                long nanos = pump.transfer(port, options.size, options.direction, transferTimeout());
                double c1 = client == null ? 0 : client.treeCpuSeconds();
                double s1 = server == null ? 0 : server.process().treeCpuSeconds();
                double gb = options.size / 1e9;
                rates.add(options.size / 1e6 / (nanos / 1e9));
                clientCpu.add((c1 - c0) / gb);
                serverCpu.add((s1 - s0) / gb);
                System.err.printf(Locale.ROOT, "%s run %d: %.0f MB/s%s%n", name, run + 1, rates.get(rates.size() - 1),
                        client == null ? "" : String.format(Locale.ROOT, ", client %.2f s/GB, server %.2f s/GB",
                                clientCpu.get(clientCpu.size() - 1), serverCpu.get(serverCpu.size() - 1)));
            }
            return new Row(pairing, cipher, rates, clientCpu, serverCpu, null);
        } catch (IOException | RuntimeException e) {
            System.err.println(name + " failed: " + e.getMessage());
            if (client != null) {
                System.err.println(client.describe());
            }
            if (server != null) {
                System.err.println(server.process().describe());
            }
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("failed");
            return new Row(pairing, cipher, rates, clientCpu, serverCpu, "failed: " + reason);
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.process().close();
            }
            if (link != null) {
                try {
                    link.close();
                } catch (IOException e) {
                    System.err.println("closing the delayed link: " + e.getMessage());
                }
            }
        }
    }

    private DelayedLink delayedLinkTo(int port) throws IOException {
        return DelayedLink.start(new InetSocketAddress("127.0.0.1", port), Duration.ofMillis(options.delayMillis));
    }

    private Duration remaining() {
        return options.budget.minusNanos(System.nanoTime() - started);
    }

    /** The per-transfer limit, cut down near the end of the budget so the whole run stays bounded. */
    private Duration transferTimeout() {
        Duration left = remaining().plusSeconds(30);
        return left.compareTo(options.timeout) < 0 ? (left.isNegative() ? Duration.ofSeconds(1) : left)
                : options.timeout;
    }

    private String table(List<Row> rows) {
        Map<String, Double> baseline = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.pairing == Pairing.OPENSSH && !row.mbPerSecond.isEmpty()) {
                baseline.put(row.cipher, median(row.mbPerSecond));
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(BenchmarkRun.header(options.delayMillis == 0 ? "-L forwarding throughput, loopback"
                : "-L forwarding throughput, loopback with " + options.delayMillis + " ms each way ("
                        + 2 * options.delayMillis + " ms round trip)", options.common));
        out.append(String.format(Locale.ROOT, "- Volume: %s per run, direction %s (%s), median of %d run(s) after "
                        + "one %s warm-up per row; MB = 10^6 bytes, GB = 10^9 bytes; CPU = user+system of the whole "
                        + "process tree (sshd's per-connection children included)%n%n",
                Options.formatSize(options.size), options.direction.name().toLowerCase(Locale.ROOT),
                options.direction == LoopbackPump.Direction.UP ? "client side → target" : "target → client side",
                options.runs, Options.formatSize(options.warmup)));
        out.append("| client → server | cipher | MB/s (median) | runs, MB/s | client CPU s/GB | server CPU s/GB "
                + "| vs OpenSSH → OpenSSH |\n");
        out.append("|---|---|---:|---|---:|---:|---:|\n");
        for (Row row : rows) {
            String cipher = row.cipher == null ? "—" : "`" + row.cipher + "`";
            if (row.mbPerSecond.isEmpty()) {
                out.append("| ").append(row.pairing.label).append(" | ").append(cipher).append(" | ")
                        .append(row.problem).append(" | | | | |\n");
                continue;
            }
            double median = median(row.mbPerSecond);
            Double base = row.cipher == null ? null : baseline.get(row.cipher);
            boolean tunnel = row.pairing != Pairing.PLAIN;
            out.append("| ").append(row.pairing.label)
                    .append(" | ").append(cipher)
                    .append(" | ").append(String.format(Locale.ROOT, "%,.0f", median))
                    .append(" | ").append(row.mbPerSecond.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v))
                            .collect(Collectors.joining(" / ")))
                    .append(row.problem == null ? "" : " (" + row.problem + ")")
                    .append(" | ").append(tunnel ? String.format(Locale.ROOT, "%.2f", median(row.clientCpuPerGb)) : "—")
                    .append(" | ").append(tunnel ? String.format(Locale.ROOT, "%.2f", median(row.serverCpuPerGb)) : "—")
                    .append(" | ").append(base == null ? "—" : String.format(Locale.ROOT, "%.2f×", median / base))
                    .append(" |\n");
        }
        return out.toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Parsed command-line options. */
    static final class Options {
        long size = 1L << 30;
        long warmup = -1;
        int runs = 3;
        LoopbackPump.Direction direction = LoopbackPump.Direction.UP;
        List<Pairing> pairings = List.of(Pairing.values());
        List<String> ciphers = DEFAULT_CIPHERS;
        Duration budget = Duration.ofSeconds(540);
        Duration timeout = Duration.ofSeconds(120);
        int delayMillis;
        final BenchmarkRun.CommonOptions common = new BenchmarkRun.CommonOptions();

        static Options parse(String[] args) {
            Options o = new Options();
            BenchmarkRun.parse(args, o.common, (option, value) -> {
                switch (option) {
                    case "--size" -> o.size = parseSize(value);
                    case "--warmup" -> o.warmup = parseSize(value);
                    case "--runs" -> o.runs = positive(option, Integer.parseInt(value));
                    case "--direction" -> o.direction = LoopbackPump.Direction.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--only" -> o.pairings = Arrays.stream(value.split(",")).map(String::trim)
                            .map(Pairing::byKey).distinct().toList();
                    case "--ciphers" -> o.ciphers = Arrays.stream(value.split(",")).map(String::trim).toList();
                    case "--budget" -> o.budget = Duration.ofSeconds(Long.parseLong(value));
                    case "--timeout" -> o.timeout = Duration.ofSeconds(positive(option, Integer.parseInt(value)));
                    case "--delay" -> o.delayMillis = Integer.parseInt(value);
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            if (o.warmup < 0) {
                o.warmup = Math.min(o.size, 256L << 20);
            }
            return o;
        }

        private static int positive(String option, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(option + " must be at least 1");
            }
            return value;
        }

        /** Parses {@code 1GiB}, {@code 256MiB}, {@code 512M}, {@code 64k}, {@code 1000000} (binary units). */
        static long parseSize(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
            long unit = 1;
            if (t.endsWith("k")) {
                unit = 1L << 10;
            } else if (t.endsWith("m")) {
                unit = 1L << 20;
            } else if (t.endsWith("g")) {
                unit = 1L << 30;
            }
            String number = unit == 1 ? t : t.substring(0, t.length() - 1);
            long value = (long) (Double.parseDouble(number) * unit);
            if (value < 1) {
                throw new IllegalArgumentException("size must be positive: " + text);
            }
            return value;
        }

        static String formatSize(long bytes) {
            if (bytes % (1L << 30) == 0) {
                return bytes / (1L << 30) + " GiB";
            }
            if (bytes % (1L << 20) == 0) {
                return bytes / (1L << 20) + " MiB";
            }
            return bytes + " bytes";
        }
    }
}
