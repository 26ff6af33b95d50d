package dev.sluice.interop.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server for tools that speak HTTP through a tunnel (curl through a SOCKS proxy): {@code GET
 * /bytes/SIZE/SEED} answers SIZE bytes of {@link DataPump}'s stream for SEED (check them with
 * {@link DataPump#sha256Of}), and {@code PUT /sha256} answers the SHA-256 (lower-case hex) of the body it received.
 * Built on the JDK's {@code com.sun.net.httpserver}.
 */
public final class HttpTarget implements AutoCloseable {
    /** Where uploads go. */
    public static final String UPLOAD_PATH = "/sha256";

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger requests = new AtomicInteger();

    private HttpTarget(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a server on a free port of {@code address} (e.g. 127.0.0.1 or ::1). */
    public static HttpTarget start(InetAddress address) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 16);
        ExecutorService executor = Executors.newCachedThreadPool(DataPump.daemon("http-target"));
        HttpTarget target = new HttpTarget(server, executor);
        server.createContext("/bytes/", target::download);
        server.createContext(UPLOAD_PATH, target::upload);
        server.setExecutor(executor);
        server.start();
        return target;
    }

    /** The path of a download of {@code size} bytes of {@code seed}'s stream. */
    public static String downloadPath(long size, long seed) {
        return "/bytes/" + size + "/" + seed;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** How many requests have arrived. */
    public int requests() {
        return requests.get();
    }

    private void download(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            long size = Long.parseLong(parts[2]);
            DataPump.Stream stream = new DataPump.Stream(Long.parseLong(parts[3]));
            exchange.sendResponseHeaders(200, size);
            OutputStream out = exchange.getResponseBody();
            for (long left = size; left > 0; ) {
                byte[] block = stream.next();
                int n = (int) Math.min(left, block.length);
                out.write(block, 0, n);
                left -= n;
            }
        }
    }

    private void upload(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            MessageDigest digest = DataPump.sha256();
            byte[] buffer = new byte[64 * 1024];
            InputStream in = exchange.getRequestBody();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
            byte[] body = HexFormat.of().formatHex(digest.digest()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
