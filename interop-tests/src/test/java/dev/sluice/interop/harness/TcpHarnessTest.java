package dev.sluice.interop.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The TCP side of the harness without SSH: data streams, digests, targets and port helpers. */
class TcpHarnessTest {
    private static final long MIB = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void directExchangeShouldMatchTheSeededStreamsBothWays() throws IOException {
        long up = 16 * MIB + 123;
        long down = 9 * MIB + 7;
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(down, 22, TIMEOUT)) {
            DataPump.Result client = DataPump.exchange(target.port(), up, 11, TIMEOUT);
            DataPump.Result server = target.awaitConnection(0, TIMEOUT);

            assertThat(client).isEqualTo(new DataPump.Result(up, DataPump.sha256Of(up, 11), down,
                    DataPump.sha256Of(down, 22)));
            assertThat(server).isEqualTo(new DataPump.Result(down, DataPump.sha256Of(down, 22), up,
                    DataPump.sha256Of(up, 11)));
        }
    }

    @Test
    void aSingleCorruptedByteShouldChangeTheDigest() throws IOException {
        long size = 4 * MIB;
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 2, TIMEOUT);
                CorruptingRelay relay = new CorruptingRelay(target.port(), 3 * MIB + 5)) {
            DataPump.Result client = DataPump.exchange(relay.port(), size, 1, TIMEOUT);
            DataPump.Result server = target.awaitConnection(0, TIMEOUT);

            assertThat(server.received()).isEqualTo(client.sent());
            assertThat(server.receivedSha256()).isNotEqualTo(client.sentSha256());
            assertThat(client.receivedSha256()).isEqualTo(server.sentSha256());
        }
    }

    @Test
    void streamsShouldDifferBetweenSeedsAndBetweenBlocks() {
        assertThat(DataPump.sha256Of(MIB, 1)).isNotEqualTo(DataPump.sha256Of(MIB, 2));
        DataPump.Stream stream = new DataPump.Stream(7);
        byte[] first = stream.next().clone();
        byte[] second = stream.next().clone();
        assertThat(Arrays.equals(first, second)).isFalse();
        // Every 4 KiB page differs from its neighbour, so a dropped-and-duplicated page changes the digest.
        for (int page = 4096; page < first.length; page += 4096) {
            assertThat(Arrays.equals(first, page - 4096, page, first, page, page + 4096)).isFalse();
        }
        assertThat(new DataPump.Stream(7).next()).isEqualTo(first);
    }

    @Test
    void echoTargetShouldReplyOnlyAfterEof() throws IOException {
        try (TcpTargets.EchoAfterEof target = TcpTargets.echoAfterEof(TIMEOUT);
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(TcpPorts.loopback(), target.port()));
            byte[] request = new byte[100_000];
            new SplittableRandom(5).nextBytes(request);
            socket.getOutputStream().write(request);
            socket.setSoTimeout(300);
            InputStream in = socket.getInputStream();
            assertThatThrownBy(in::read).as("no reply before the request's EOF")
                    .isInstanceOf(SocketTimeoutException.class);

            socket.shutdownOutput();
            socket.setSoTimeout((int) TIMEOUT.toMillis());

            assertThat(TcpTargets.readAll(in)).isEqualTo(request);
            assertThat(target.awaitConnection(0, TIMEOUT)).isEqualTo(request.length);
        }
    }

    @Test
    void halfCloseHelperShouldPassAgainstTheEchoTargetAndFailAgainstASink() throws IOException {
        try (TcpTargets.EchoAfterEof echo = TcpTargets.echoAfterEof(TIMEOUT)) {
            TcpTargets.assertEchoAfterHalfClose(echo.port(), (int) (3 * MIB), TIMEOUT);
        }
        try (TcpTargets.SinkSource sink = TcpTargets.sinkSource(0, 1, TIMEOUT)) {
            assertThatThrownBy(() -> TcpTargets.assertEchoAfterHalfClose(sink.port(), 1000, TIMEOUT))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("got 0 bytes");
        }
    }

    @Test
    void refusedPortShouldRefuseUntilReleased() throws IOException {
        try (TcpPorts.RefusedPort refused = TcpPorts.refused()) {
            assertThat(TcpPorts.isListening(refused.port())).isFalse();
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress(TcpPorts.loopback(), refused.port())))
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void listenerProbeShouldSeeListenersWithoutConnecting() throws IOException {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, TcpPorts.loopback())) {
            port = server.getLocalPort();
            assertThat(TcpPorts.isListening(port)).isTrue();
            TcpPorts.awaitListening(port, Duration.ofSeconds(1), null);
        }
        assertThat(TcpPorts.isListening(port)).isFalse();
        assertThatThrownBy(() -> TcpPorts.awaitListening(port, Duration.ofMillis(100), null))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void forwardSpecsShouldSplitOutsideBrackets() {
        assertThat(OpenSshClient.splitSpec("[::1]:8080:[fe80::1]:22")).containsExactly("::1", "8080", "fe80::1", "22");
        assertThat(OpenSshClient.splitSpec("8080:host:22")).containsExactly("8080", "host", "22");
    }

    /** A one-connection relay that flips one byte of the client→target direction at a given offset. */
    private static final class CorruptingRelay implements AutoCloseable {
        private final ServerSocket server;

        CorruptingRelay(int targetPort, long corruptAt) throws IOException {
            server = new ServerSocket(0, 1, TcpPorts.loopback());
            Thread relay = new Thread(() -> {
                try (Socket client = server.accept();
                        Socket target = new Socket(TcpPorts.loopback(), targetPort)) {
                    Thread down = new Thread(() -> copy(target, client, -1));
                    down.start();
                    copy(client, target, corruptAt);
                    down.join();
                } catch (IOException | InterruptedException e) {
                    // The test sees the failure as a broken exchange.
                }
            }, "corrupting-relay");
            relay.setDaemon(true);
            relay.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void copy(Socket from, Socket to, long corruptAt) {
            byte[] buffer = new byte[64 * 1024];
            long offset = 0;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (corruptAt >= offset && corruptAt < offset + n) {
                        buffer[(int) (corruptAt - offset)] ^= 0x01;
                    }
                    out.write(buffer, 0, n);
                    offset += n;
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // Connection torn down; the exchange reports it.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
