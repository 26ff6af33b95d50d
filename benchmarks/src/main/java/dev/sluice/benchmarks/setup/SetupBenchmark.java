package dev.sluice.benchmarks.setup;

import dev.sluice.benchmarks.peer.Peer;
import dev.sluice.benchmarks.peer.PeerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
        String table = new SetupBenchmark(options).run();
        System.out.println(table);
        if (options.out != null) {
            Files.createDirectories(options.out.toAbsolutePath().getParent());
            Files.writeString(options.out, table + "\n");
            System.err.println("written to " + options.out);
        }
        System.exit(0);
    }

    private String run() throws IOException {
        Path work = Files.createTempDirectory("sluice-setup-bench-");
        List<Row> rows = new ArrayList<>();
        try {
            Peer.Setup setup = Peer.Setup.create(options.repo.resolve("sluice"), options.java, options.classpath,
                    work);
            for (int parallel : options.parallel) {
                for (Peer peer : options.peers) {
                    rows.add(measure(setup, peer, parallel));
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return table(rows);
    }

    private Row measure(Peer.Setup setup, Peer peer, int parallel) {
        String name = peer.label() + " × " + parallel;
        Peer.Server server = null;
        PeerProcess client = null;
        try {
            server = peer.startServer(setup);
            client = PeerProcess.startWithInput("setup client", setup.javaCommand(SetupClient.class.getName(),
                    "--impl", peer.name().toLowerCase(Locale.ROOT), "--port", Integer.toString(server.port()),
                    "--key", setup.clientKey().toString(), "--cipher", options.cipher,
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

    private String table(List<Row> rows) throws IOException {
        Map<Integer, Double> baseline = new HashMap<>();
        for (Row row : rows) {
            if (row.peer() == Peer.OPENSSH && row.connections() > 0) {
                baseline.put(row.parallel(), row.perSecond());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("### Connection setup, loopback\n\n");
        out.append("- JDK: ").append(javaVersion()).append('\n');
        out.append("- CPU: ").append(cpuDescription()).append('\n');
        out.append("- Date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")))
                .append('\n');
        out.append(String.format(Locale.ROOT, "- Each connection: TCP connect, curve25519-sha256, ssh-ed25519 host key,"
                + " publickey (Ed25519) login, one direct-tcpip channel opened and closed, disconnect; %s; %.0f s "
                + "measured after %.0f s of warm-up per row. OpenSSH's client CPU is its ssh processes (exec "
                + "included); sshd's includes its per-connection children.%n%n", options.cipher, options.seconds,
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

    private String javaVersion() {
        try {
            Process p = new ProcessBuilder(options.java.toString(), "-version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("?") + " ("
                    + options.java + ")";
        } catch (IOException e) {
            return options.java.toString();
        }
    }

    private static String cpuDescription() throws IOException {
        List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
        String model = cpuinfo.stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        long logical = cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
        return model + ", " + logical + " logical CPU(s)";
    }

    /** Parsed command-line options. */
    static final class Options {
        double seconds = 10;
        double warmupSeconds = 10;
        List<Integer> parallel = List.of(1, 4);
        List<Peer> peers = List.of(Peer.SLUICE, Peer.OPENSSH, Peer.MINA);
        String cipher = "aes128-gcm@openssh.com";
        Path repo = Path.of(".").toAbsolutePath().normalize();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = System.getProperty("java.class.path");
        Path out;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--seconds" -> o.seconds = Double.parseDouble(value);
                    case "--warmup" -> o.warmupSeconds = Double.parseDouble(value);
                    case "--parallel" -> o.parallel = Arrays.stream(value.split(",")).map(String::trim)
                            .map(Integer::parseInt).toList();
                    case "--only" -> o.peers = Arrays.stream(value.split(",")).map(String::trim)
                            .map(v -> Peer.valueOf(v.toUpperCase(Locale.ROOT))).toList();
                    case "--cipher" -> o.cipher = value;
                    case "--repo" -> o.repo = Path.of(value).toAbsolutePath().normalize();
                    case "--java" -> o.java = Path.of(value);
                    case "--classpath" -> o.classpath = value;
                    case "--out" -> o.out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            return o;
        }
    }
}
