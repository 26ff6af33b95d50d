package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/** Small checks on forwarded ports shared by the tunnel tests. */
final class Tunnels {
    private Tunnels() {
    }

    /** The listen port of {@code -L} number {@code n} (0-based) in an ssh command line. */
    static int forwardedPort(List<String> command, int n) {
        int seen = 0;
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals("-L") && seen++ == n) {
                List<String> fields = OpenSshClient.splitSpec(command.get(i + 1));
                return Integer.parseInt(fields.get(fields.size() - 3));
            }
        }
        throw new IllegalArgumentException("no -L number " + n + " in " + command);
    }

    /** The listen port of {@code -D} number {@code n} (0-based) in an ssh command line. */
    static int forwardedDynamicPort(List<String> command, int n) {
        int seen = 0;
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals("-D") && seen++ == n) {
                List<String> fields = OpenSshClient.splitSpec(command.get(i + 1));
                return Integer.parseInt(fields.get(fields.size() - 1));
            }
        }
        throw new IllegalArgumentException("no -D number " + n + " in " + command);
    }

    /**
     * Connects to a forwarded port whose target refuses, and expects the tunnel to close the connection (EOF or
     * reset) without sending anything.
     */
    static void assertConnectionEndsWithoutData(int port, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(TcpPorts.loopback(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the tunnel kept a connection to a refused target open for " + timeout, e);
            } catch (IOException reset) {
                first = -1;
            }
            assertThat(first).as("a connection whose target refused must end without data").isEqualTo(-1);
        }
    }

    /**
     * Sends a {@code size}-byte request through a tunnel to an {@link TcpTargets#echoAfterEof} target, half-closes,
     * and reads the reply until EOF. Checks each direction on its own, so a failure says which one lost bytes: first
     * what the target received (connection number {@code index}), then the reply, byte for byte.
     */
    static void assertEchoAfterHalfClose(int port, TcpTargets.EchoAfterEof target, int index, int size,
            Duration timeout) throws IOException {
        byte[] request = new byte[size];
        new SplittableRandom(size + 31L * index).nextBytes(request);

        byte[] reply = TcpTargets.sendThenReadUntilEof(port, request, timeout);

        assertThat(target.awaitConnection(index, timeout)).as("bytes the target received before EOF (request"
                + " direction); the reply had %d", reply.length).isEqualTo(size);
        assertThat(reply.length).as("bytes of the reply before EOF (reply direction)").isEqualTo(size);
        assertThat(firstDifference(request, reply)).as("first differing byte of the reply").isEqualTo(-1);
    }

    private static int firstDifference(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : n;
    }
}
