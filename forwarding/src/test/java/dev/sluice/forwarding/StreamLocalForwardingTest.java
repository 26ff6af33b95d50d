package dev.sluice.forwarding;

import static dev.sluice.forwarding.ForwardingTest.async;
import static dev.sluice.forwarding.ForwardingTest.receive;
import static dev.sluice.forwarding.ForwardingTest.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.message.DirectStreamLocal;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix-domain socket forwarding end to end: {@code -L port:/remote/socket} (direct-streamlocal@openssh.com to
 * DirectStreamLocalHandler) and {@code -L /local/socket:host:port}, with StreamLocalBindMask/Unlink and the policy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class StreamLocalForwardingTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;
    private SshPair pair;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(NettyTransports.nativeAvailable()).as("these tests need the native epoll transport").isTrue();
        pair = SshPair.start(ConnectionConfig.DEFAULT, Map.of(
                "direct-tcpip", new DirectTcpipHandler(ForwardingPolicy.DEFAULT),
                DirectStreamLocalHandler.CHANNEL_TYPE, new DirectStreamLocalHandler(AllowStreamLocalForwarding.YES)));
    }

    @AfterEach
    void tearDown() throws Exception {
        // Checked before closing: an abrupt close may reset a socket with control messages still in flight.
        assertThat(pair.errors).isEmpty();
        pair.close();
    }

    @Test
    void aPortForwardsToASocketPathOnTheServer() throws Exception {
        Path path = dir.resolve("target.sock");
        try (ServerSocketChannel target = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            target.bind(UnixDomainSocketAddress.of(path));
            InetSocketAddress local = new LocalPortForwarder(pair.client(),
                    new LocalForward("127.0.0.1", 0, null, 0, null, path.toString()), false).start()
                    .get(5, TimeUnit.SECONDS);
            long size = 8L * MIB;
            CompletableFuture<String[]> far = async(() -> {
                try (SocketChannel t = target.accept()) {
                    CompletableFuture<String> sent = async(() -> sendUnix(t, size, 9));
                    return new String[] {receiveUnix(t), sent.get() + " (" + size + " bytes)"};
                }
            });
            try (Socket s = new Socket(local.getAddress(), local.getPort())) {
                CompletableFuture<String> sent = async(() -> send(s, size, 8) + " (" + size + " bytes)");
                AtomicLong count = new AtomicLong();
                String got = receive(s, count) + " (" + count + " bytes)";
                String[] at = far.get(60, TimeUnit.SECONDS);
                assertThat(at[0]).as("client → socket").isEqualTo(sent.get());
                assertThat(got).as("socket → client").isEqualTo(at[1]);
            }
        }
    }

    @Test
    void aLocalSocketPathForwardsToAHostAndPort() throws Exception {
        Path path = dir.resolve("listen.sock");
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            LocalPortForwarder f = new LocalPortForwarder(pair.client(),
                    new LocalForward(null, 0, "127.0.0.1", target.getLocalPort(), path.toString(), null), false);
            SocketAddress bound = f.startPath().get(5, TimeUnit.SECONDS);
            assertThat(bound.toString()).contains(path.toString());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                    .as("StreamLocalBindMask 0177").isEqualTo("rw-------");
            long size = 4L * MIB;
            CompletableFuture<String[]> far = async(() -> {
                try (Socket t = target.accept()) {
                    CompletableFuture<String> sent = async(() -> send(t, size, 11));
                    AtomicLong count = new AtomicLong();
                    String got = receive(t, count);
                    return new String[] {got + " (" + count + " bytes)", sent.get() + " (" + size + " bytes)"};
                }
            });
            try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                CompletableFuture<String> sent = async(() -> sendUnix(s, size, 10) + " (" + size + " bytes)");
                String got = receiveUnix(s);
                String[] at = far.get(60, TimeUnit.SECONDS);
                assertThat(at[0]).as("socket → target").isEqualTo(sent.get());
                assertThat(got).as("target → socket").isEqualTo(at[1]);
            }
        }
    }

    @Test
    void anExistingFileIsReplacedOnlyWithStreamLocalBindUnlink() throws Exception {
        Path path = dir.resolve("stale.sock");
        Files.writeString(path, "stale");
        LocalForward spec = new LocalForward(null, 0, "127.0.0.1", 9, path.toString(), null);

        Future<SocketAddress> refused = new LocalPortForwarder(pair.client(), spec, false).startPath().await();
        assertThat(refused.cause()).hasMessage("unix_listener: cannot bind to path " + path
                + ": Address already in use");

        Future<SocketAddress> unlinked = new LocalPortForwarder(pair.client(), spec, false, 0117, true).startPath()
                .await();
        assertThat(unlinked.isSuccess()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
    }

    @Test
    void aMissingSocketIsConnectFailedWithTheSystemsWords() throws Exception {
        Future<?> open = pair.client().openChannel(DirectStreamLocalHandler.CHANNEL_TYPE,
                new DirectStreamLocal(dir.resolve("none.sock").toString()).encode(),
                (channel, data) -> { });
        assertThat(open.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("connect failed: No such file or directory");
    }

    @Test
    void allowStreamLocalForwardingNoIsAdministrativelyProhibited() throws Exception {
        for (AllowStreamLocalForwarding value : new AllowStreamLocalForwarding[] {AllowStreamLocalForwarding.NO,
            AllowStreamLocalForwarding.REMOTE}) {
            try (SshPair refusing = SshPair.start(ConnectionConfig.DEFAULT, Map.of(
                    DirectStreamLocalHandler.CHANNEL_TYPE, new DirectStreamLocalHandler(value)))) {
                Future<?> open = refusing.client().openChannel(DirectStreamLocalHandler.CHANNEL_TYPE,
                        new DirectStreamLocal("/tmp/x.sock").encode(),
                        (channel, data) -> { });
                assertThat(open.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(open.cause()).as(value.toString()).isInstanceOf(ChannelOpenException.class)
                        .hasMessage("administratively prohibited: open failed");
            }
        }
        assertThat(AllowStreamLocalForwarding.parse("local").allowsLocal()).isTrue();
        assertThat(AllowStreamLocalForwarding.parse("All").allowsRemote()).isTrue();
    }

    /** The connection's policy is asked at each open, so a Match block's DisableForwarding covers sockets. */
    @Test
    void theConnectionsDisableForwardingRefusesSocketsToo() throws Exception {
        Path path = dir.resolve("target.sock");
        try (ServerSocketChannel target = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                SshPair refusing = SshPair.start(ConnectionConfig.DEFAULT, Map.of(
                        DirectStreamLocalHandler.CHANNEL_TYPE, new DirectStreamLocalHandler(
                                c -> ForwardingPolicy.DEFAULT.withDisableForwarding(true),
                                AllowStreamLocalForwarding.YES)))) {
            target.bind(UnixDomainSocketAddress.of(path));
            Future<?> open = refusing.client().openChannel(DirectStreamLocalHandler.CHANNEL_TYPE,
                    new DirectStreamLocal(path.toString()).encode(), (channel, data) -> { });
            assertThat(open.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                    .hasMessage("administratively prohibited: open failed");
        }
    }

    /** As {@link ForwardingTest#send} over a Unix-domain socket: seeded random bytes, then half-close. */
    static String sendUnix(SocketChannel ch, long n, long seed) throws IOException {
        MessageDigest md = ForwardingTest.sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[64 * 1024];
        for (long left = n; left > 0; ) {
            int len = (int) Math.min(block.length, left);
            random.nextBytes(block);
            md.update(block, 0, len);
            ByteBuffer buf = ByteBuffer.wrap(block, 0, len);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            left -= len;
        }
        ch.shutdownOutput();
        return HexFormat.of().formatHex(md.digest());
    }

    /** Reads to EOF; the SHA-256 and the byte count. */
    static String receiveUnix(SocketChannel ch) throws IOException {
        MessageDigest md = ForwardingTest.sha256();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long count = 0;
        for (int n; (n = ch.read(buf)) >= 0; ) {
            count += n;
            buf.flip();
            md.update(buf);
            buf.clear();
        }
        return HexFormat.of().formatHex(md.digest()) + " (" + count + " bytes)";
    }
}
