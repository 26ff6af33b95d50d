package dev.sluice.forwarding;

import static dev.sluice.forwarding.ForwardingTest.async;
import static dev.sluice.forwarding.ForwardingTest.receive;
import static dev.sluice.forwarding.ForwardingTest.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.SshServer;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jump hosts through the API ({@link SshClient#connect(SshClient.Target, SshConnection)}): Sluice servers in a
 * chain, each next connection running inside a direct-tcpip channel of the previous one, with an {@code -L} forward
 * at the end carrying hashed data both ways.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JumpHostTest {
    private static final int MIB = 1024 * 1024;

    private final SshKeyPair user = SshKeyPair.generateEd25519("user");
    private final List<SshServer> servers = new ArrayList<>();
    private final List<SshKeyPair> hostKeys = new ArrayList<>();
    private SshClient client;
    private ServerSocket target;

    @BeforeEach
    void setUp() throws Exception {
        client = new SshClient();
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        target.close();
        servers.forEach(SshServer::close);
    }

    private int server(ForwardingPolicy policy) throws Exception {
        SshKeyPair hostKey = SshKeyPair.generateEd25519("host" + servers.size());
        SshPublicKey allowed = user.publicKey();
        SshServer server = new SshServer(new SshServer.Config(new InetSocketAddress("127.0.0.1", 0),
                TransportConfig.defaults().withHostKeys(List.of(hostKey)), (u, k) -> k.equals(allowed), 6, 120,
                ConnectionConfig.DEFAULT, Map.of("direct-tcpip", new DirectTcpipHandler(policy))));
        servers.add(server);
        hostKeys.add(hostKey);
        return server.start().getPort();
    }

    /** A target that accepts only the host key of server {@code n}, recording the names it was checked under. */
    private SshClient.Target target(int port, int n, List<String> checked) {
        SshPublicKey expected = hostKeys.get(n).publicKey();
        return SshClient.Target.of("127.0.0.1", port, "me", List.of(user)).withTransport(
                TransportConfig.defaults().withHostKeyVerifier((h, p, k) -> {
                    checked.add(h + ":" + p);
                    return k.equals(expected) ? null : "Host key verification failed.";
                }));
    }

    @Test
    void twoJumpsCarry16MiBBothWaysThroughALocalForwardAtTheEnd() throws Exception {
        int first = server(ForwardingPolicy.DEFAULT);
        int second = server(ForwardingPolicy.DEFAULT);
        int last = server(ForwardingPolicy.DEFAULT);
        List<String> checked = new CopyOnWriteArrayList<>();
        SshConnection hop1 = client.connect(target(first, 0, checked)).get(10, TimeUnit.SECONDS);
        SshConnection hop2 = client.connect(target(second, 1, checked), hop1).get(10, TimeUnit.SECONDS);
        SshConnection end = client.connect(target(last, 2, checked), hop2).get(10, TimeUnit.SECONDS);

        assertThat(checked).as("each hop's host key checked under its own name")
                .containsExactly("127.0.0.1:" + first, "127.0.0.1:" + second, "127.0.0.1:" + last);
        assertThat(end.eventLoop()).as("no thread change between hops").isSameAs(hop1.eventLoop());
        assertThat(end.parent().parent()).isSameAs(hop2.parent());

        InetSocketAddress local = new LocalPortForwarder(end,
                new LocalForward("127.0.0.1", 0, "127.0.0.1", target.getLocalPort()), false).start()
                .get(5, TimeUnit.SECONDS);
        long size = 16L * MIB;
        CompletableFuture<String[]> far = async(() -> {
            try (Socket s = target.accept()) {
                CompletableFuture<String> sent = async(() -> send(s, size, 6));
                return new String[] {receive(s, new AtomicLong()), sent.get()};
            }
        });
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            CompletableFuture<String> sent = async(() -> send(s, size, 5));
            AtomicLong count = new AtomicLong();
            String got = receive(s, count);
            String[] farSide = far.get(60, TimeUnit.SECONDS);
            assertThat(count.get()).isEqualTo(size);
            assertThat(farSide[0]).as("client → target").isEqualTo(sent.get());
            assertThat(got).as("target → client").isEqualTo(farSide[1]);
        }

        hop1.close().sync();
        assertThat(end.closeFuture().await(10, TimeUnit.SECONDS)).as("the inner connection ends with its carrier")
                .isTrue();
    }

    /**
     * A target that does not read stops the sender at the far end of two nested connections: the windows of the
     * inner and the carrying connection hold it back, so nothing buffers without bound on the way, and once the
     * target reads every byte arrives intact.
     */
    @Test
    void aStalledTargetHoldsTheSenderBackThroughTheJump() throws Exception {
        int jump = server(ForwardingPolicy.DEFAULT);
        int last = server(ForwardingPolicy.DEFAULT);
        List<String> checked = new ArrayList<>();
        SshConnection hop = client.connect(target(jump, 0, checked)).get(10, TimeUnit.SECONDS);
        SshConnection end = client.connect(target(last, 1, checked), hop).get(10, TimeUnit.SECONDS);
        InetSocketAddress local = new LocalPortForwarder(end,
                new LocalForward("127.0.0.1", 0, "127.0.0.1", target.getLocalPort()), false).start()
                .get(5, TimeUnit.SECONDS);
        long size = 96L * MIB;
        AtomicLong written = new AtomicLong();
        try (Socket s = new Socket(local.getAddress(), local.getPort()); Socket t = target.accept()) {
            CompletableFuture<String> sent = async(() -> {
                byte[] block = new byte[64 * 1024];
                java.security.MessageDigest md = ForwardingTest.sha256();
                java.util.SplittableRandom random = new java.util.SplittableRandom(12);
                for (long left = size; left > 0; left -= block.length) {
                    random.nextBytes(block);
                    md.update(block);
                    s.getOutputStream().write(block);
                    written.addAndGet(block.length);
                }
                s.shutdownOutput();
                return java.util.HexFormat.of().formatHex(md.digest());
            });
            long before;
            long after = written.get();
            do { // until the sender has stalled: no progress for half a second
                before = after;
                Thread.sleep(500);
                after = written.get();
            } while (after != before && after < size);
            assertThat(after).as("bytes the sender got rid of while the target read nothing")
                    .isLessThan(size / 2);

            AtomicLong count = new AtomicLong();
            String got = receive(t, count);
            assertThat(count.get()).isEqualTo(size);
            assertThat(got).isEqualTo(sent.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aJumpHostThatRefusesForwardingFailsTheConnectWithItsReason() throws Exception {
        int jump = server(new ForwardingPolicy(AllowTcpForwarding.NO));
        int last = server(ForwardingPolicy.DEFAULT);
        List<String> checked = new ArrayList<>();
        SshConnection hop = client.connect(target(jump, 0, checked)).get(10, TimeUnit.SECONDS);

        Future<SshConnection> end = client.connect(target(last, 1, checked), hop);
        assertThat(end.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(end.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("administratively prohibited: open failed");
        assertThat(hop.parent().isActive()).isTrue();
    }

    @Test
    void aWrongHostKeyBehindTheJumpFailsOnlyThatConnection() throws Exception {
        int jump = server(ForwardingPolicy.DEFAULT);
        int last = server(ForwardingPolicy.DEFAULT);
        List<String> checked = new ArrayList<>();
        SshConnection hop = client.connect(target(jump, 0, checked)).get(10, TimeUnit.SECONDS);

        Future<SshConnection> end = client.connect(target(last, 0, checked), hop);
        assertThat(end.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(end.isSuccess()).isFalse();
        assertThat(end.cause()).hasMessageContaining("Host key verification failed.");
        assertThat(hop.parent().isActive()).isTrue();
    }

    @Test
    void aClosedInnerConnectionClosesOnlyItsChannel() throws Exception {
        int jump = server(ForwardingPolicy.DEFAULT);
        int last = server(ForwardingPolicy.DEFAULT);
        List<String> checked = new ArrayList<>();
        SshConnection hop = client.connect(target(jump, 0, checked)).get(10, TimeUnit.SECONDS);
        SshConnection end = client.connect(target(last, 1, checked), hop).get(10, TimeUnit.SECONDS);

        end.close().sync();

        SshConnection again = client.connect(target(last, 1, checked), hop).get(10, TimeUnit.SECONDS);
        assertThat(again.parent().isActive()).isTrue();
        assertThat(hop.parent().isActive()).isTrue();
    }
}
