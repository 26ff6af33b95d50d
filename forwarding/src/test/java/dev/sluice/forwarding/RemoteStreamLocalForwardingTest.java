package dev.sluice.forwarding;

import static dev.sluice.forwarding.ForwardingTest.async;
import static dev.sluice.forwarding.ForwardingTest.receive;
import static dev.sluice.forwarding.ForwardingTest.send;
import static dev.sluice.forwarding.StreamLocalForwardingTest.receiveUnix;
import static dev.sluice.forwarding.StreamLocalForwardingTest.sendUnix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.ForwardedStreamLocal;
import dev.sluice.connection.message.StreamLocalForward;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Remote Unix-domain socket forwarding end to end: {@code -R /remote/socket:host:port} and {@code -R
 * /remote/socket:/local/socket} (RemotePortForwarder.startPath ⇄ StreamLocalForwardHandler ⇄
 * forwarded-streamlocal@openssh.com), {@code -R port:/local/socket} (forwarded-tcpip to a local socket), with the
 * policy, StreamLocalBindMask/Unlink, cancel and the socket file's removal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class RemoteStreamLocalForwardingTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;
    private SshPair pair;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(NettyTransports.nativeAvailable()).as("these tests need the native epoll transport").isTrue();
        pair = start(ForwardingPolicy.DEFAULT, StreamLocalPolicy.DEFAULT);
    }

    @AfterEach
    void tearDown() throws Exception {
        assertThat(pair.errors).isEmpty();
        pair.close();
    }

    private static SshPair start(ForwardingPolicy policy, StreamLocalPolicy streamLocal) throws InterruptedException {
        Map<String, GlobalRequestHandler> global = new HashMap<>(new TcpipForwardHandler(policy).handlers());
        global.putAll(new StreamLocalForwardHandler(policy, streamLocal).handlers());
        return SshPair.start(ConnectionConfig.DEFAULT, Map.of(), global);
    }

    @Test
    void aRemoteSocketPathForwardsToAHostAndPortBothWaysThenCancelRemovesIt() throws Exception {
        Path path = dir.resolve("remote.sock");
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            RemotePortForwarder r = new RemotePortForwarder(pair.client(),
                    RemoteForward.parse(path + ":127.0.0.1:" + target.getLocalPort()));
            assertThat(r.startPath().get(5, TimeUnit.SECONDS)).isEqualTo(path.toString());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                    .as("StreamLocalBindMask 0177").isEqualTo("rw-------");
            long size = 4L * MIB;
            CompletableFuture<String[]> far = async(() -> {
                try (Socket t = target.accept()) {
                    CompletableFuture<String> sent = async(() -> send(t, size, 21));
                    AtomicLong count = new AtomicLong();
                    String got = receive(t, count);
                    return new String[] {got + " (" + count + " bytes)", sent.get() + " (" + size + " bytes)"};
                }
            });
            try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                CompletableFuture<String> sent = async(() -> sendUnix(s, size, 20) + " (" + size + " bytes)");
                String got = receiveUnix(s);
                String[] at = far.get(60, TimeUnit.SECONDS);
                assertThat(at[0]).as("socket → target").isEqualTo(sent.get());
                assertThat(got).as("target → socket").isEqualTo(at[1]);
            }

            r.cancel().get(5, TimeUnit.SECONDS);
            awaitGone(path);
            assertThat(r.cancel().await().cause()).as("a second cancel names no forwarding any more")
                    .hasMessage("cancel-streamlocal-forward for path " + path + " refused");
        }
    }

    @Test
    void aRemoteSocketPathForwardsToALocalSocketPath() throws Exception {
        Path path = dir.resolve("remote.sock");
        Path local = dir.resolve("local.sock");
        try (ServerSocketChannel target = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            target.bind(UnixDomainSocketAddress.of(local));
            new RemotePortForwarder(pair.client(), RemoteForward.parse(path + ":" + local)).startPath()
                    .get(5, TimeUnit.SECONDS);
            exchangeUnix(path, target, 2L * MIB);
        }
    }

    @Test
    void aRemotePortForwardsToALocalSocketPath() throws Exception {
        Path local = dir.resolve("local.sock");
        try (ServerSocketChannel target = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            target.bind(UnixDomainSocketAddress.of(local));
            int port = new RemotePortForwarder(pair.client(), RemoteForward.parse("0:" + local)).start()
                    .get(5, TimeUnit.SECONDS);
            long size = 2L * MIB;
            CompletableFuture<String[]> far = async(() -> {
                try (SocketChannel t = target.accept()) {
                    CompletableFuture<String> sent = async(() -> sendUnix(t, size, 31));
                    return new String[] {receiveUnix(t), sent.get() + " (" + size + " bytes)"};
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                CompletableFuture<String> sent = async(() -> send(s, size, 30) + " (" + size + " bytes)");
                AtomicLong count = new AtomicLong();
                String got = receive(s, count) + " (" + count + " bytes)";
                String[] at = far.get(60, TimeUnit.SECONDS);
                assertThat(at[0]).as("port → socket").isEqualTo(sent.get());
                assertThat(got).as("socket → port").isEqualTo(at[1]);
            }
        }
    }

    @Test
    void anExistingFileRefusesTheRequestUnlessStreamLocalBindUnlinkAndTheMaskApplies() throws Exception {
        Path path = dir.resolve("stale.sock");
        Files.writeString(path, "stale");
        RemoteForward spec = RemoteForward.parse(path + ":127.0.0.1:9");
        assertThat(new RemotePortForwarder(pair.client(), spec).startPath().await().cause())
                .hasMessage("remote port forwarding failed for listen path " + path);
        assertThat(Files.readString(path)).as("left alone").isEqualTo("stale");

        try (SshPair unlinking = start(ForwardingPolicy.DEFAULT, StreamLocalPolicy.DEFAULT.withBindUnlink(true)
                .withBindMask(0117))) {
            new RemotePortForwarder(unlinking.client(), spec).startPath().get(5, TimeUnit.SECONDS);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
            assertThat(unlinking.errors).isEmpty();
        }
    }

    @Test
    void theSocketFileIsRemovedWhenTheConnectionCloses() throws Exception {
        Path path = dir.resolve("remote.sock");
        new RemotePortForwarder(pair.client(), RemoteForward.parse(path + ":127.0.0.1:9")).startPath()
                .get(5, TimeUnit.SECONDS);
        assertThat(Files.exists(path)).isTrue();
        pair.client().close().sync();
        awaitGone(path);
    }

    @Test
    void aFileThatReplacedTheSocketIsNotRemoved() throws Exception {
        Path path = dir.resolve("remote.sock");
        RemotePortForwarder r = new RemotePortForwarder(pair.client(), RemoteForward.parse(path + ":127.0.0.1:9"));
        r.startPath().get(5, TimeUnit.SECONDS);
        Files.delete(path);
        Files.writeString(path, "someone else's");
        r.cancel().get(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertThat(Files.readString(path)).isEqualTo("someone else's");
    }

    @ParameterizedTest
    @CsvSource({"LOCAL, false", "NO, false", "YES, true"})
    void thePolicyRefusesWithSshsWords(AllowStreamLocalForwarding allow, boolean disable) throws Exception {
        Path path = dir.resolve("refused.sock");
        try (SshPair refusing = start(ForwardingPolicy.DEFAULT.withDisableForwarding(disable),
                StreamLocalPolicy.DEFAULT.withAllow(allow))) {
            assertThat(new RemotePortForwarder(refusing.client(), RemoteForward.parse(path + ":127.0.0.1:9"))
                    .startPath().await().cause()).hasMessage("remote port forwarding failed for listen path " + path);
            assertThat(Files.exists(path)).isFalse();
            assertThat(refusing.errors).isEmpty();
        }
    }

    @Test
    void aForwardedStreamLocalChannelNobodyAskedForIsAdministrativelyProhibited() throws Exception {
        assertThat(pair.client().sendGlobalRequest(StreamLocalForward.CANCEL, true,
                new StreamLocalForward("/nowhere").encode()).get(5, TimeUnit.SECONDS))
                .as("cancel of a path never forwarded").isEmpty();
        new RemotePortForwarder(pair.client(), RemoteForward.parse(dir.resolve("a.sock") + ":127.0.0.1:9"))
                .startPath().get(5, TimeUnit.SECONDS);
        Future<SshChannel> open = pair.server().openChannel(ForwardedStreamLocal.CHANNEL_TYPE,
                new ForwardedStreamLocal(dir.resolve("b.sock").toString()).encode(), new ChannelListener() {
                    @Override
                    public void onData(SshChannel channel, ByteBuf data) {
                    }
                }).await();
        assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("administratively prohibited: open failed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/r.sock:localhost:80 | | 0 | localhost | 80 | /r.sock | ",
        "/r.sock:/l.sock | | 0 | | 0 | /r.sock | /l.sock",
        "8080:/l.sock | | 8080 | | 0 | | /l.sock",
        "0:/l.sock | | 0 | | 0 | | /l.sock",
        "*:8080:/l.sock | * | 8080 | | 0 | | /l.sock",
        "[::1]:8080:/l.sock | ::1 | 8080 | | 0 | | /l.sock",
        "/a\\:b.sock:/c.sock | | 0 | | 0 | /a:b.sock | /c.sock",
    })
    void socketPathSpecsParseAsSshParsesThem(String spec, String bind, int port, String host, int hostPort,
            String bindPath, String connectPath) {
        RemoteForward f = RemoteForward.parse(spec);
        assertThat(f).isEqualTo(new RemoteForward(bind, port, host, hostPort, bindPath, connectPath));
        assertThat(f.isDynamic()).isFalse();
        assertThat(RemoteForward.parse(f.toSpec())).isEqualTo(f);
        assertThat(f.listenDescription()).isEqualTo(bindPath != null ? "path " + bindPath : "port " + port);
    }

    @Test
    void aSocketPathIsNeitherAReverseDynamicForwardNorStartedAsAPort() {
        assertThatThrownBy(() -> RemoteForward.parse("/r.sock")).hasMessage("Bad remote forwarding specification"
                + " '/r.sock'");
        RemotePortForwarder r = new RemotePortForwarder(pair.client(), RemoteForward.parse("/r.sock:h:1"));
        assertThatThrownBy(r::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(new RemotePortForwarder(pair.client(), RemoteForward.parse("1:h:1"))::startPath)
                .isInstanceOf(IllegalStateException.class);
        assertThat(RemoteForward.parse("/r.sock:/l.sock").destination()).isEqualTo("/l.sock");
    }

    private static void exchangeUnix(Path path, ServerSocketChannel target, long size) throws Exception {
        CompletableFuture<String[]> far = async(() -> {
            try (SocketChannel t = target.accept()) {
                CompletableFuture<String> sent = async(() -> sendUnix(t, size, 41));
                return new String[] {receiveUnix(t), sent.get() + " (" + size + " bytes)"};
            }
        });
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            CompletableFuture<String> sent = async(() -> sendUnix(s, size, 40) + " (" + size + " bytes)");
            String got = receiveUnix(s);
            String[] at = far.get(60, TimeUnit.SECONDS);
            assertThat(at[0]).as("remote socket → local socket").isEqualTo(sent.get());
            assertThat(got).as("local socket → remote socket").isEqualTo(at[1]);
        }
    }

    private static void awaitGone(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(path)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " still there");
            }
            Thread.sleep(10);
        }
    }
}
