package dev.sluice.interop.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback port helpers: free ports, a port that refuses connections, and waiting for a listener to appear.
 *
 * <p>Readiness is read from the kernel's socket table instead of by connecting, because a probe connection to an
 * {@code ssh -L} port opens a real channel to the forward's target, which then sees an extra connection.
 */
public final class TcpPorts {
    /** Socket state 0x0A in {@code /proc/net/tcp}: LISTEN (see include/net/tcp_states.h). */
    private static final String LISTEN = "0A";
    private static final List<Path> SOCKET_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private TcpPorts() {
    }

    /** The loopback address every test uses; IPv4 so it matches OpenSSH's {@code 127.0.0.1} configs. */
    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    /**
     * A loopback port that was free a moment ago. Another process may take it before the caller binds it; callers
     * that start servers on it retry with a new port when binding fails.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(loopback(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * Reserves a loopback port on which every connection is refused, for as long as the result is open: the port is
     * held by a bound socket that never listens, so the kernel answers SYNs with RST and nobody else can bind it.
     */
    public static RefusedPort refused() {
        Socket holder = new Socket();
        try {
            holder.bind(new InetSocketAddress(loopback(), 0));
            return new RefusedPort(holder);
        } catch (IOException e) {
            closeQuietly(holder);
            throw new UncheckedIOException("cannot reserve a loopback port", e);
        }
    }

    /** Whether any socket is in LISTEN state on {@code port} (any address, IPv4 or IPv6), per the kernel. */
    public static boolean isListening(int port) {
        String hexPort = String.format(":%04X", port);
        for (Path table : SOCKET_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (NoSuchFileException e) {
                continue; // no IPv6 in this kernel
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int i = 1; i < lines.size(); i++) {
                // "  sl  local_address rem_address   st ...": fields 1 and 3 after trimming.
                String[] fields = lines.get(i).trim().split("\\s+");
                if (fields.length > 3 && fields[3].equals(LISTEN) && fields[1].endsWith(hexPort)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The local addresses of the sockets in LISTEN state on {@code port}, per the kernel (IPv4 and IPv6 tables), to
     * check where a server bound a forwarding: {@code 127.0.0.1}, {@code ::1}, or a wildcard.
     */
    public static List<InetAddress> listeningAddresses(int port) {
        String hexPort = String.format(":%04X", port);
        List<InetAddress> found = new ArrayList<>();
        for (Path table : SOCKET_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] fields = lines.get(i).trim().split("\\s+");
                if (fields.length > 3 && fields[3].equals(LISTEN) && fields[1].endsWith(hexPort)) {
                    found.add(kernelAddress(fields[1].substring(0, fields[1].indexOf(':'))));
                }
            }
        }
        return found;
    }

    /** Decodes an address of /proc/net/tcp*: 32-bit words in hex, each in the host's (little-endian) byte order. */
    private static InetAddress kernelAddress(String hex) {
        byte[] raw = new byte[hex.length() / 2];
        for (int word = 0; word < raw.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + b) * 2;
                raw[word * 4 + 3 - b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until something listens on {@code port}.
     *
     * @param owner the process expected to open the listener, or {@code null}; if it exits first the wait fails at
     *     once with its logs
     * @throws AssertionError on timeout or when {@code owner} exits
     */
    public static void awaitListening(int port, Duration timeout, ManagedProcess owner) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isListening(port)) {
            if (owner != null && !owner.isAlive()) {
                throw new AssertionError(owner.name() + " exited before listening on port " + port + "\n"
                        + owner.describe());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing listening on port " + port + " after " + timeout
                        + (owner == null ? "" : "\n" + owner.describe()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for port " + port, e);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: the socket was never usable.
        }
    }

    /** A loopback port that refuses connections until closed. */
    public static final class RefusedPort implements AutoCloseable {
        private final Socket holder;

        private RefusedPort(Socket holder) {
            this.holder = holder;
        }

        /** The port number. */
        public int port() {
            return holder.getLocalPort();
        }

        /** Releases the port. */
        @Override
        public void close() {
            closeQuietly(holder);
        }
    }
}
