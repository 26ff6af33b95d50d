package dev.sluice.forwarding;

import static dev.sluice.forwarding.ForwardingTest.async;
import static dev.sluice.forwarding.ForwardingTest.receive;
import static dev.sluice.forwarding.ForwardingTest.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.SshDisconnectedException;
import dev.sluice.connection.SshServer;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SshClient#connect(SshClient.Target, java.io.InputStream, java.io.OutputStream)}, the transport of a
 * ProxyCommand: here the streams of a plain socket to a Sluice server stand for the proxy's stdout and stdin, and a
 * {@code -L} forward over the connection carries hashed data both ways.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamConnectTest {
    private static final long SIZE = 16L * 1024 * 1024;

    private final SshKeyPair user = SshKeyPair.generateEd25519("user");
    private final SshKeyPair hostKey = SshKeyPair.generateEd25519("host");
    private SshServer server;
    private SshClient client;
    private ServerSocket target;

    @BeforeEach
    void setUp() throws Exception {
        SshPublicKey allowed = user.publicKey();
        server = new SshServer(new SshServer.Config(new InetSocketAddress("127.0.0.1", 0),
                TransportConfig.defaults().withHostKeys(List.of(hostKey)), (u, k) -> k.equals(allowed), 6, 120,
                ConnectionConfig.DEFAULT, Map.of("direct-tcpip", new DirectTcpipHandler(ForwardingPolicy.DEFAULT))));
        client = new SshClient();
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        target.close();
        server.close();
    }

    private SshClient.Target target(List<String> checked) {
        return SshClient.Target.of("gateway.example", 2222, "me", List.of(user)).withTransport(
                TransportConfig.defaults().withHostKeyVerifier((h, p, k) -> {
                    checked.add(h + ":" + p);
                    return k.equals(hostKey.publicKey()) ? null : "Host key verification failed.";
                }));
    }

    @Test
    void aConnectionOverStreamsShouldCarry16MiBBothWaysAndCloseItsStreams() throws Exception {
        int port = server.start().getPort();
        List<String> checked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Socket proxy = new Socket(InetAddress.getLoopbackAddress(), port)) {
            SshConnection ssh = client.connect(target(checked), proxy.getInputStream(), proxy.getOutputStream())
                    .get(10, TimeUnit.SECONDS);
            assertThat(checked).as("the host key is checked under the target's name").containsExactly(
                    "gateway.example:2222");

            InetSocketAddress local = new LocalPortForwarder(ssh,
                    new LocalForward("127.0.0.1", 0, "127.0.0.1", target.getLocalPort()), false).start()
                    .get(5, TimeUnit.SECONDS);
            CompletableFuture<String[]> far = async(() -> {
                try (Socket s = target.accept()) {
                    CompletableFuture<String> sent = async(() -> send(s, SIZE, 8));
                    return new String[] {receive(s, new AtomicLong()), sent.get()};
                }
            });
            try (Socket s = new Socket(local.getAddress(), local.getPort())) {
                CompletableFuture<String> sent = async(() -> send(s, SIZE, 7));
                AtomicLong count = new AtomicLong();
                String got = receive(s, count);
                String[] farSide = far.get(60, TimeUnit.SECONDS);
                assertThat(count.get()).isEqualTo(SIZE);
                assertThat(farSide[0]).as("client → target").isEqualTo(sent.get());
                assertThat(got).as("target → client").isEqualTo(farSide[1]);
            }

            ssh.close().sync();
            // Closing the connection closes the streams (a socket's streams close the socket), on the writer thread.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!proxy.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(proxy.isClosed()).isTrue();
        }
    }

    @Test
    void streamsThatEndBeforeTheVersionLineShouldFailAsSshSays() throws Exception {
        Future<SshConnection> f = client.connect(target(new java.util.ArrayList<>()),
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).await();

        assertThat(f.cause()).isInstanceOf(SshDisconnectedException.class)
                .hasMessage(SshClient.KEX_IDENTIFICATION_CLOSED);
    }
}
