package dev.sluice.benchmarks.setup;

import dev.sluice.benchmarks.peer.BenchmarkRun;
import dev.sluice.benchmarks.peer.Peer;
import dev.sluice.benchmarks.peer.PeerProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Connection-setup benchmark: full SSH connections per second (TCP connect, curve25519-sha256, ssh-ed25519 host key,
 * publickey login, one direct-tcpip channel opened and closed, disconnect) for Sluice → Sluice, OpenSSH → OpenSSH and
 * MINA SSHD → MINA SSHD in one run, with sequential and parallel client loops, the median and p99 latency of one
 * connection, and the CPU milliseconds each side spends per connection.
 *
 * <p>Run through {@code benchmarks/run-setup.sh}. Each row starts a fresh server and one {@link SetupClient} process;
 * the client warms up (JIT for the Java peers), then the server's CPU time is read from /proc around the measured
 * phase. OpenSSH's client CPU is that of its {@code ssh} processes (one per connection, exec included, as people run
 * it); the Java clients' is their whole process.
 *
 * <pre>
 * options: --seconds 10  measured time per row     --warmup 10 (seconds)    --parallel 1,4 (client loops per row)
 *          --only sluice,openssh,mina               --cipher aes128-gcm@openssh.com
 *          --repo DIR  --java PATH  --classpath CP  --out FILE
 * </pre>
 */
public final class SetupBenchmark {
    private static final Pattern RESULT = Pattern.compile(
            "RESULT connections=(\\d+) seconds=([\\d.]+) p50_ms=([\\d.]+) p99_ms=([\\d.]+) cpu_s=([\\d.]+) "
                    + "failures=(\\d+)(?: first_failure=(.*))?");

    /** One measured row. */
    record Row(Peer peer, int parallel, int connections, double seconds, double p50Millis, double p99Millis,
            double clientCpuSeconds, double serverCpuSeconds, int failures, String problem) {
        double perSecond() {
            return connections / seconds;
        }
    }

    private final Options options;

    private SetupBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("setup benchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        SetupBenchmark benchmark = new SetupBenchmark(options);
        BenchmarkRun.run(options.common, setup -> {
            List<Row> rows = new ArrayList<>();
            for (int parallel : options.parallel) {
                for (Peer peer : options.peers) {
                    rows.add(benchmark.measure(setup, peer, parallel));
                }
            }
            return benchmark.table(rows);
        });
    }

    private Row measure(Peer.Setup setup, Peer peer, int parallel) {
        String name = peer.label() + " × " + parallel;
        Peer.Server server = null;
        PeerProcess client = null;
        try {
            server = peer.startServer(setup);
            client = PeerProcess.startWithInput("setup client", setup.javaCommand(SetupClient.class.getName(),
                    "--impl", peer.name().toLowerCase(Locale.ROOT), "--port", Integer.toString(server.port()),
                    "--key", setup.clientKey().toString(), "--cipher", options.common.cipher,
                    "--warmup-seconds", Double.toString(options.warmupSeconds),
                    "--seconds", Double.toString(options.seconds), "--parallel", Integer.toString(parallel)),
                    setup.work());
            Duration slack = Duration.ofSeconds(120);
            client.awaitStdoutLine("READY"::equals, Duration.ofMillis((long) (options.warmupSeconds * 1000))
                    .plus(slack));
            double s0 = server.process().treeCpuSeconds();
            client.sendLine("GO");
            String line = client.awaitStdoutLine(l -> l.startsWith("RESULT "),
                    Duration.ofMillis((long) (options.seconds * 1000)).plus(slack));
            double s1 = server.process().treeCpuSeconds();
            Matcher m = RESULT.matcher(line);
            if (!m.matches()) {
                throw new IOException("unexpected result line: " + line);
            }
            Row row = new Row(peer, parallel, Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                    s1 - s0, Integer.parseInt(m.group(6)), m.group(7));
            System.err.printf(Locale.ROOT, "%s: %.0f connections/s, p50 %.2f ms, p99 %.2f ms, failures %d%n", name,
                    row.perSecond(), row.p50Millis(), row.p99Millis(), row.failures());
            if (row.problem() != null) {
                System.err.println(name + " first failure: " + row.problem());
            }
            return row;
        } catch (IOException | RuntimeException e) {
            System.err.println(name + " failed: " + e.getMessage());
            if (server != null) {
                System.err.println(server.process().describe());
            }
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("failed");
            return new Row(peer, parallel, 0, 0, 0, 0, 0, 0, 0, "failed: " + reason);
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.process().close();
            }
        }
    }

    private String table(List<Row> rows) {
        Map<Integer, Double> baseline = new HashMap<>();
        for (Row row : rows) {
            if (row.peer() == Peer.OPENSSH && row.connections() > 0) {
                baseline.put(row.parallel(), row.perSecond());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(BenchmarkRun.header("Connection setup, loopback", options.common));
        out.append(String.format(Locale.ROOT, "- Each connection: TCP connect, curve25519-sha256, ssh-ed25519 host key,"
                + " publickey (Ed25519) login, one direct-tcpip channel opened and closed, disconnect; %s; %.0f s "
                + "measured after %.0f s of warm-up per row. OpenSSH's client CPU is its ssh processes (exec "
                + "included); sshd's includes its per-connection children.%n%n", options.common.cipher, options.seconds,
                options.warmupSeconds));
        out.append("| client → server | client loops | connections/s | median ms | p99 ms | client CPU ms/conn "
                + "| server CPU ms/conn | vs OpenSSH |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            String pair = row.peer().label() + " → " + row.peer().label();
            if (row.connections() == 0) {
                out.append("| ").append(pair).append(" | ").append(row.parallel()).append(" | ")
                        .append(row.problem() == null ? "no connection completed" : row.problem())
                        .append(" | | | | | |\n");
                continue;
            }
            Double base = baseline.get(row.parallel());
            out.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f | %.2f | %.2f | %s |%n", pair,
                    row.parallel(), row.perSecond(), row.p50Millis(), row.p99Millis(),
                    row.clientCpuSeconds() * 1000 / row.connections(),
                    row.serverCpuSeconds() * 1000 / row.connections(),
                    base == null ? "—" : String.format(Locale.ROOT, "%.1f×", row.perSecond() / base)));
            if (row.failures() > 0) {
                out.append(String.format(Locale.ROOT, "|  ↳ %d failed: %s | | | | | | | |%n", row.failures(),
                        row.problem()));
            }
        }
        return out.toString();
    }

    /** Parsed command-line options. */
    static final class Options {
        double seconds = 10;
        double warmupSeconds = 10;
        List<Integer> parallel = List.of(1, 4);
        List<Peer> peers = List.of(Peer.SLUICE, Peer.OPENSSH, Peer.MINA);
        final BenchmarkRun.CommonOptions common = new BenchmarkRun.CommonOptions();

        static Options parse(String[] args) {
            Options o = new Options();
            BenchmarkRun.parse(args, o.common, (option, value) -> {
                switch (option) {
                    case "--seconds" -> o.seconds = Double.parseDouble(value);
                    case "--warmup" -> o.warmupSeconds = Double.parseDouble(value);
                    case "--parallel" -> o.parallel = Arrays.stream(value.split(",")).map(String::trim)
                            .map(Integer::parseInt).toList();
                    case "--only" -> o.peers = Arrays.stream(value.split(",")).map(String::trim)
                            .map(v -> Peer.valueOf(v.toUpperCase(Locale.ROOT))).toList();
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
