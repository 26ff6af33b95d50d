package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.DirectTcpip;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** -L end to end over real loopback sockets: LocalPortForwarder → channel → DirectTcpipHandler → target. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ForwardingTest {
    private static final int MIB = 1024 * 1024;

    private SshPair pair;
    private ServerSocket target;

    @BeforeEach
    void setUp() throws Exception {
        pair = SshPair.start(ConnectionConfig.DEFAULT, ForwardingPolicy.DEFAULT);
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws Exception {
        target.close();
        pair.close();
        assertThat(pair.errors).isEmpty();
    }

    private InetSocketAddress forward(int targetPort) throws Exception {
        LocalPortForwarder f = new LocalPortForwarder(pair.client(),
                new LocalForward("127.0.0.1", 0, "127.0.0.1", targetPort), false);
        return f.start().get(5, TimeUnit.SECONDS);
    }

    /** Writes {@code n} seeded random bytes, then half-closes; returns their SHA-256. */
    static String send(Socket s, long n, long seed) throws IOException {
        MessageDigest md = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[64 * 1024];
        OutputStream out = s.getOutputStream();
        for (long left = n; left > 0; ) {
            int len = (int) Math.min(block.length, left);
            random.nextBytes(block);
            out.write(block, 0, len);
            md.update(block, 0, len);
            left -= len;
        }
        s.shutdownOutput();
        return HexFormat.of().formatHex(md.digest());
    }

    /** Reads to EOF; returns the SHA-256 and counts bytes into {@code count}. */
    static String receive(Socket s, AtomicLong count) throws IOException {
        MessageDigest md = sha256();
        byte[] block = new byte[64 * 1024];
        InputStream in = s.getInputStream();
        for (int n; (n = in.read(block)) >= 0; ) {
            md.update(block, 0, n);
            count.addAndGet(n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static <T> CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    @Test
    void forwards64MiBBothWaysAtOnceIntact() throws Exception {
        long size = 64L * MIB;
        InetSocketAddress local = forward(target.getLocalPort());
        CompletableFuture<String[]> far = async(() -> {
            try (Socket s = target.accept()) {
                CompletableFuture<String> sent = async(() -> send(s, size, 2));
                String got = receive(s, new AtomicLong());
                return new String[] {got, sent.get()};
            }
        });
        long start = System.nanoTime();
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            CompletableFuture<String> sent = async(() -> send(s, size, 1));
            AtomicLong count = new AtomicLong();
            String got = receive(s, count);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("64 MiB each way through -L in %.2f s: %.0f MB/s per direction%n", seconds,
                    size / seconds / 1e6);
            String[] farSide = far.get(60, TimeUnit.SECONDS);
            assertThat(count.get()).isEqualTo(size);
            assertThat(farSide[0]).as("client → target").isEqualTo(sent.get());
            assertThat(got).as("target → client").isEqualTo(farSide[1]);
        }
    }

    @Test
    void halfCloseCarriesTheRequestThenTheWholeReply() throws Exception {
        InetSocketAddress local = forward(target.getLocalPort());
        CompletableFuture<Void> far = async(() -> {
            try (Socket s = target.accept()) {
                byte[] request = s.getInputStream().readAllBytes(); // until the client's EOF
                OutputStream out = s.getOutputStream();
                out.write(("reply to " + new String(request, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
                out.write(new byte[3 * MIB]);
            }
            return null;
        });
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            s.getOutputStream().write("GET /".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            byte[] reply = s.getInputStream().readAllBytes();
            String head = "reply to GET /\n";
            assertThat(reply).hasSize(head.length() + 3 * MIB);
            assertThat(new String(reply, 0, head.length(), StandardCharsets.UTF_8)).isEqualTo(head);
        }
        far.get(10, TimeUnit.SECONDS);
    }

    @Test
    void refusedTargetClosesTheSocketAndTheNextConnectionStillWorks() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        InetSocketAddress deadForward = forward(dead);
        try (Socket s = new Socket(deadForward.getAddress(), deadForward.getPort())) {
            s.setSoTimeout(5000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        Future<SshChannel> open = pair.client().openChannel(DirectTcpip.CHANNEL_TYPE,
                new DirectTcpip("127.0.0.1", dead, "127.0.0.1", 1).encode(), ignoring());
        assertThat(open.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("connect failed: Connection refused");
        assertThat(((ChannelOpenException) open.cause()).reasonCode()).isEqualTo(2);

        InetSocketAddress live = forward(target.getLocalPort());
        CompletableFuture<Void> echo = async(() -> {
            try (Socket s = target.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
            }
            return null;
        });
        try (Socket s = new Socket(live.getAddress(), live.getPort())) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ping");
        }
        echo.get(5, TimeUnit.SECONDS);
    }

    @Test
    void unresolvableTargetFailsWithOpenSshsWords() throws Exception {
        Future<SshChannel> open = pair.client().openChannel(DirectTcpip.CHANNEL_TYPE,
                new DirectTcpip("no-such-host.invalid", 80, "127.0.0.1", 1).encode(), ignoring());
        assertThat(open.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("connect failed: Name or service not known");
    }

    @Test
    void policyRefusalIsAdministrativelyProhibited() throws Exception {
        try (SshPair refusing = SshPair.start(ConnectionConfig.DEFAULT,
                new ForwardingPolicy(AllowTcpForwarding.REMOTE))) {
            Future<SshChannel> open = refusing.client().openChannel(DirectTcpip.CHANNEL_TYPE,
                    new DirectTcpip("127.0.0.1", target.getLocalPort(), "127.0.0.1", 1).encode(), ignoring());
            assertThat(open.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                    .hasMessage("administratively prohibited: open failed");
            assertThat(refusing.errors).isEmpty();
        }
    }

    @Test
    void aSlowDestinationStopsTheSenderWithBoundedBuffering() throws Exception {
        long size = 256L * MIB;
        InetSocketAddress local = forward(target.getLocalPort());
        CountDownLatch startReading = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        CompletableFuture<String> far = async(() -> {
            try (Socket s = target.accept()) {
                startReading.await();
                return receive(s, received);
            }
        });
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<String> sent = async(() -> {
                MessageDigest md = sha256();
                SplittableRandom random = new SplittableRandom(3);
                byte[] block = new byte[64 * 1024];
                OutputStream out = s.getOutputStream();
                for (long left = size; left > 0; left -= block.length) {
                    random.nextBytes(block);
                    out.write(block);
                    md.update(block);
                    written.addAndGet(block.length);
                }
                s.shutdownOutput();
                return HexFormat.of().formatHex(md.digest());
            });
            long last = -1;
            while (written.get() != last) { // wait until the writer has been blocked for a while
                last = written.get();
                Thread.sleep(1000);
            }
            System.out.printf("writer stalled after %.1f MiB while the destination read nothing%n",
                    written.get() / (double) MIB);
            // The window (2 MiB) plus the kernel buffers of three loopback TCP connections: far from 256 MiB.
            assertThat(written.get()).isLessThan(96L * MIB);
            assertThat(pair.errors).isEmpty();
            startReading.countDown();
            assertThat(far.get(120, TimeUnit.SECONDS)).isEqualTo(sent.get());
            assertThat(received.get()).isEqualTo(size);
        }
    }

    @Test
    void theListenerClosesWithTheConnection() throws Exception {
        InetSocketAddress local = forward(target.getLocalPort());
        pair.closeConnection();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket s = new Socket(local.getAddress(), local.getPort())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("still listening on " + local);
                }
                Thread.sleep(20);
            } catch (ConnectException expected) {
                break;
            }
        }
    }

    private static ChannelListener ignoring() {
        return new ChannelListener() {
            @Override
            public void onData(SshChannel channel, ByteBuf data) {
                channel.consumed(data.readableBytes());
            }
        };
    }

}
