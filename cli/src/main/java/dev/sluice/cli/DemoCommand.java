package dev.sluice.cli;

import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.SshServer;
import dev.sluice.forwarding.DirectTcpipHandler;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.LocalPortForwarder;
import dev.sluice.transport.Negotiated;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.SshKeyPair;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code sluice demo}: the main job on an embedded default. Starts an SSH server on loopback, a small service behind
 * it, and a {@code -L} forward through it (the Java API, as an application would use it); pushes data both ways at
 * once, checks it arrived intact, and prints what happened and the OpenSSH command for the same tunnel.
 */
final class DemoCommand {
    private final PrintStream out;
    private final PrintStream err;

    DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        long mib = 256;
        String cipher = null;
        String logLevel = "ERROR";
        try {
            Getopt opts = new Getopt("c:v", List.of("size", "cipher"), args);
            for (Getopt.Option o : opts.options()) {
                switch (o.name()) {
                    case "size" -> mib = Long.parseLong(o.argument());
                    case "v" -> logLevel = "DEBUG".equals(logLevel) ? "DEBUG2" : "DEBUG";
                    default -> cipher = o.argument();
                }
            }
        } catch (Getopt.UsageException | NumberFormatException e) {
            err.println("sluice demo: " + e.getMessage());
            err.println("usage: sluice demo [-v] [--size MiB] [--cipher name]");
            return 255;
        }
        Logging.configure(logLevel);
        try {
            return demo(mib * 1024 * 1024, cipher);
        } catch (Exception e) {
            err.println("sluice demo: failed: " + e);
            return 1;
        }
    }

    private int demo(long bytes, String cipher) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        SshKeyPair hostKey = SshKeyPair.generateEd25519("demo host key");
        SshKeyPair userKey = SshKeyPair.generateEd25519("demo user key");
        TransportConfig serverTransport = TransportConfig.defaults().withHostKeys(List.of(hostKey));
        SshServer.Config serverConfig = new SshServer.Config(new InetSocketAddress(loopback, 0), serverTransport,
                (user, key) -> key.equals(userKey.publicKey()), 6, 120, ConnectionConfig.DEFAULT,
                Map.of("direct-tcpip",
                        new DirectTcpipHandler(ForwardingPolicy.DEFAULT)));
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-service");
            t.setDaemon(true);
            return t;
        });
        try (SshServer server = new SshServer(serverConfig);
                ServerSocket service = new ServerSocket(0, 50, loopback);
                SshClient client = new SshClient()) {
            InetSocketAddress sshAddress = server.start();
            Future<StreamCheck.Result> serviceSide = pool.submit(() -> {
                try (Socket s = service.accept()) {
                    return StreamCheck.exchange(s, bytes, 2);
                }
            });
            TransportConfig clientTransport = TransportConfig.defaults()
                    .withHostKeyVerifier((h, p, k) -> k.equals(hostKey.publicKey()) ? null : "unexpected host key");
            if (cipher != null) {
                clientTransport = clientTransport.withCiphers(List.of(cipher));
            }
            SshConnection connection = client.connect(SshClient.Target.of(loopback.getHostAddress(),
                    sshAddress.getPort(), "demo", List.of(userKey)).withTransport(clientTransport)).get();
            LocalForward spec = new LocalForward(loopback.getHostAddress(), 0, loopback.getHostAddress(),
                    service.getLocalPort());
            InetSocketAddress tunnel = new LocalPortForwarder(connection, spec, false).start().get();
            Negotiated n = TransportSession.of(connection.parent()).negotiated().orElseThrow();

            out.println("Sluice demo: a local port forwarded through an SSH server, all on loopback");
            out.printf(Locale.ROOT, "  ssh server   %s:%d, host key %s%n", loopback.getHostAddress(),
                    sshAddress.getPort(), hostKey.publicKey().fingerprint());
            out.printf(Locale.ROOT, "  service      %s:%d (sends and receives a checked stream)%n",
                    loopback.getHostAddress(), service.getLocalPort());
            out.printf(Locale.ROOT, "  tunnel       %s:%d -> %s:%d through the server (direct-tcpip)%n",
                    loopback.getHostAddress(), tunnel.getPort(), loopback.getHostAddress(), service.getLocalPort());
            out.printf(Locale.ROOT, "  algorithms   %s, host key %s, cipher %s%s%n", n.kex(), n.hostKey(),
                    n.cipherClientToServer(), n.strictKex() ? ", strict KEX" : "");
            out.printf(Locale.ROOT, "  moving       %d MiB each way at once...%n", bytes >> 20);
            out.flush();

            StreamCheck.Result clientSide;
            try (Socket s = new Socket(loopback, tunnel.getPort())) {
                s.setTcpNoDelay(true);
                clientSide = StreamCheck.exchange(s, bytes, 1);
            }
            StreamCheck.Result far = serviceSide.get();
            double seconds = clientSide.nanos() / 1e9;
            boolean upOk = clientSide.sentSha256().equals(far.receivedSha256()) && far.received() == bytes;
            boolean downOk = far.sentSha256().equals(clientSide.receivedSha256()) && clientSide.received() == bytes;
            out.printf(Locale.ROOT, "  moved        %d + %d bytes in %.2f s: %.0f MB/s each way, %.0f MB/s in all%n",
                    clientSide.sent(), clientSide.received(), seconds, bytes / seconds / 1e6,
                    2 * bytes / seconds / 1e6);
            out.printf(Locale.ROOT, "  integrity    up %s (SHA-256 %s…), down %s (SHA-256 %s…)%n",
                    upOk ? "intact" : "CORRUPTED", clientSide.sentSha256().substring(0, 16),
                    downOk ? "intact" : "CORRUPTED", far.sentSha256().substring(0, 16));
            out.println();
            out.println("The same tunnel with OpenSSH would be:");
            out.printf(Locale.ROOT, "  ssh -N -L %s:%d:%s:%d -p %d demo@%s%n", loopback.getHostAddress(),
                    tunnel.getPort(), loopback.getHostAddress(), service.getLocalPort(), sshAddress.getPort(),
                    loopback.getHostAddress());
            out.println("and with Sluice, against any SSH server:");
            out.printf(Locale.ROOT, "  ./sluice ssh -N -L %d:%s:%d -p %d demo@%s%n", tunnel.getPort(),
                    loopback.getHostAddress(), service.getLocalPort(), sshAddress.getPort(),
                    loopback.getHostAddress());
            connection.close().sync();
            return upOk && downOk ? 0 : 1;
        } finally {
            pool.shutdownNow();
        }
    }
}
