package dev.sluice.benchmarks.channels;

import dev.sluice.benchmarks.peer.BenchmarkRun;
import dev.sluice.benchmarks.peer.Peer;
import dev.sluice.benchmarks.peer.PeerProcess;
import dev.sluice.connection.NettyTransports;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thousands of forwarded TCP connections over one SSH connection: each connection through a {@code -L} tunnel echoes
 * a few KiB and then stays open until all are; the report gives how fast the channels opened and completed their
 * echo, and what each open channel costs the client and the server: resident memory (the process tree's RSS, for every
 * peer) and, for the Java peers, live heap after a full GC ({@code jcmd GC.class_histogram}).
 *
 * <pre>
 * options: --connections 10000 --bytes 4096 --concurrency 256 --only openssh,sluice,mina
 *          --cipher aes128-gcm@openssh.com --repo DIR --java PATH --classpath CP --out FILE
 * </pre>
 */
public final class ManyChannelsBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** One row of the report; memory figures in bytes per channel, -1 when not measured. */
    record Row(String label, int completed, double opensPerSecond, double clientRss, double serverRss,
            double clientHeap, double serverHeap, String problem) {
    }

    private final Options options;

    private ManyChannelsBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        ManyChannelsBenchmark benchmark = new ManyChannelsBenchmark(options);
        BenchmarkRun.run(options.common, benchmark::measureAll);
    }

    private String measureAll(Peer.Setup setup) throws IOException, InterruptedException {
        EventLoopGroup group = NettyTransports.newEventLoopGroup(0, "channels-bench");
        List<Row> rows = new ArrayList<>();
        try (PeerProcess target = PeerProcess.start("echo target", setup.javaCommand(EchoTarget.class.getName()),
                setup.work())) {
            int targetPort = Peer.portAfterLastColon(target.awaitStdoutLine(l -> l.contains("listening on"),
                    Peer.STARTUP));
            for (String which : options.only) {
                rows.add(measure(setup, Peer.valueOf(which.toUpperCase(Locale.ROOT)), group, targetPort));
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        return table(rows);
    }

    private Row measure(Peer.Setup setup, Peer peer, EventLoopGroup group, int targetPort) {
        String label = peer.label() + " → " + peer.label();
        Peer.Server server = null;
        PeerProcess client = null;
        List<Channel> open = new ArrayList<>();
        try {
            server = peer.startServer(setup);
            int listen = Peer.Setup.freePort();
            client = peer.startClient(setup, server.port(), options.common.cipher,
                    "127.0.0.1:" + listen + ":127.0.0.1:" + targetPort);
            client.awaitListening(listen, Peer.STARTUP);
            // A first round opens the SSH connection's paths and warms the JIT; its sockets are closed again.
            closeAll(openAndEcho(group, listen, Math.min(1000, options.connections), new ArrayList<>()));
            boolean java = peer != Peer.OPENSSH;
            long clientHeap0 = java ? liveHeap(client.pid()) : -1;
            long serverHeap0 = java ? liveHeap(server.process().pid()) : -1;
            long clientRss0 = treeRss(client);
            long serverRss0 = treeRss(server.process());
            long start = System.nanoTime();
            int completed = openAndEcho(group, listen, options.connections, open).size();
            double seconds = (System.nanoTime() - start) / 1e9;
            long clientHeap1 = java ? liveHeap(client.pid()) : -1;
            long serverHeap1 = java ? liveHeap(server.process().pid()) : -1;
            long clientRss1 = treeRss(client);
            long serverRss1 = treeRss(server.process());
            Row row = new Row(label, completed, completed / seconds,
                    (clientRss1 - clientRss0) / (double) completed, (serverRss1 - serverRss0) / (double) completed,
                    java ? (clientHeap1 - clientHeap0) / (double) completed : -1,
                    java ? (serverHeap1 - serverHeap0) / (double) completed : -1,
                    completed == options.connections ? null : (options.connections - completed) + " failed");
            System.err.printf(Locale.ROOT, "%s: %d channels, %.0f/s; per channel: RSS client %.1f KiB, server %.1f "
                    + "KiB; heap client %.1f KiB, server %.1f KiB%n", label, completed, row.opensPerSecond,
                    row.clientRss / 1024, row.serverRss / 1024, row.clientHeap / 1024, row.serverHeap / 1024);
            return row;
        } catch (Exception e) {
            System.err.println(label + " failed: " + e);
            return new Row(label, 0, 0, 0, 0, 0, 0, "failed: " + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse("?"));
        } finally {
            closeAll(open);
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.process().close();
            }
        }
    }

    /**
     * Opens {@code n} connections to the tunnel, at most {@code --concurrency} in progress at once; each sends
     * {@code --bytes} bytes and counts as done when they all came back. Returns the connections that completed (and
     * stay open), in {@code out}.
     */
    private List<Channel> openAndEcho(EventLoopGroup group, int port, int n, List<Channel> out) throws Exception {
        Semaphore inFlight = new Semaphore(options.concurrency);
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger failed = new AtomicInteger();
        byte[] payload = new byte[options.bytes];
        Arrays.fill(payload, (byte) 'x');
        List<Channel> completed = java.util.Collections.synchronizedList(out);
        Bootstrap b = NettyTransports.bootstrap(group.next())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        for (int i = 0; i < n; i++) {
            if (!inFlight.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("no progress: " + (n - done.getCount()) + " of " + n + " done");
            }
            ChannelFuture f = b.clone(group.next()).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new EchoCheck(options.bytes, () -> {
                        completed.add(ch);
                        inFlight.release();
                        done.countDown();
                    }, () -> {
                        failed.incrementAndGet();
                        inFlight.release();
                        done.countDown();
                    }));
                }
            }).connect("127.0.0.1", port);
            f.addListener(c -> {
                if (c.isSuccess()) {
                    f.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
                } else {
                    failed.incrementAndGet();
                    inFlight.release();
                    done.countDown();
                }
            });
        }
        if (!done.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("timed out: " + (n - done.getCount()) + " of " + n + " done");
        }
        return completed;
    }

    private static void closeAll(List<Channel> channels) {
        synchronized (channels) {
            for (Channel c : channels) {
                c.close();
            }
            channels.clear();
        }
    }

    /** Live heap bytes of a JVM after a full GC: the total line of {@code jcmd PID GC.class_histogram}. */
    private long liveHeap(long pid) throws IOException, InterruptedException {
        // The jcmd of the JDK the peers run on.
        Path jcmd = options.common.java.resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                return Long.parseLong(f[2]);
            }
        }
        throw new IOException("no histogram from jcmd " + pid + ": " + text.lines().findFirst().orElse(""));
    }

    /** Resident memory (VmRSS) of a process and its descendants, in bytes. */
    private static long treeRss(PeerProcess process) throws IOException {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        ProcessHandle.of(process.pid()).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        long total = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // exited meanwhile
            }
        }
        return total;
    }

    private String table(List<Row> rows) {
        double base = rows.stream().filter(r -> r.label.startsWith("OpenSSH") && r.problem == null)
                .mapToDouble(Row::opensPerSecond).findFirst().orElse(0);
        StringBuilder out = new StringBuilder(BenchmarkRun.header("Many channels over one SSH connection, loopback",
                options.common));
        out.append(String.format(Locale.ROOT, "- %,d connections through one -L tunnel (%s), at most %d opening at "
                + "once, each echoing %,d bytes and then held open; memory is the growth per open channel (RSS of the "
                + "process tree; live heap after a full GC for the Java peers)%n%n", options.connections,
                options.common.cipher, options.concurrency, options.bytes));
        out.append("| client → server | completed | channels/s | client RSS KiB/ch | server RSS KiB/ch "
                + "| client heap KiB/ch | server heap KiB/ch | channels/s vs OpenSSH |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (r.completed == 0) {
                out.append("| ").append(r.label).append(" | ").append(r.problem).append(" | | | | | | |\n");
                continue;
            }
            out.append(String.format(Locale.ROOT, "| %s | %,d%s | %,.0f | %.1f | %.1f | %s | %s | %s |%n", r.label,
                    r.completed, r.problem == null ? "" : " (" + r.problem + ")", r.opensPerSecond,
                    r.clientRss / 1024, r.serverRss / 1024, kib(r.clientHeap), kib(r.serverHeap),
                    base == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", r.opensPerSecond / base)));
        }
        return out.toString();
    }

    private static String kib(double bytes) {
        return bytes < 0 ? "—" : String.format(Locale.ROOT, "%.1f", bytes / 1024);
    }

    /** The client end of one connection: done once {@code expected} bytes came back. */
    private static final class EchoCheck extends ChannelInboundHandlerAdapter {
        private final int expected;
        private final Runnable onDone;
        private final Runnable onFailure;
        private int received;
        private boolean finished;

        EchoCheck(int expected, Runnable onDone, Runnable onFailure) {
            this.expected = expected;
            this.onDone = onDone;
            this.onFailure = onFailure;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received += ((ByteBuf) msg).readableBytes();
            ((ByteBuf) msg).release();
            if (received >= expected && !finished) {
                finished = true;
                onDone.run();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!finished) {
                finished = true;
                onFailure.run();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Parsed command-line options. */
    static final class Options {
        int connections = 10_000;
        int bytes = 4096;
        int concurrency = 256;
        List<String> only = List.of("openssh", "sluice", "mina");
        final BenchmarkRun.CommonOptions common = new BenchmarkRun.CommonOptions();

        static Options parse(String[] args) {
            Options o = new Options();
            BenchmarkRun.parse(args, o.common, (option, value) -> {
                switch (option) {
                    case "--connections" -> o.connections = Integer.parseInt(value);
                    case "--bytes" -> o.bytes = Integer.parseInt(value);
                    case "--concurrency" -> o.concurrency = Integer.parseInt(value);
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
