package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.connection.message.TcpipForward;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** -R end to end over loopback sockets: RemotePortForwarder ⇄ TcpipForwardHandler ⇄ forwarded-tcpip ⇄ target. */
@Timeout(60)
class RemoteForwardingTest {
    private SshPair pair;
    private ServerSocket target;

    @BeforeEach
    void setUp() throws Exception {
        pair = SshPair.start(ConnectionConfig.DEFAULT, ForwardingPolicy.DEFAULT);
        pair.serverHandler.authenticated("alice");
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws Exception {
        target.close();
        pair.close();
        assertThat(pair.errors).isEmpty();
    }

    @Test
    void portZeroIsAllocatedAndConnectionsReachTheTargetBothWaysWithHalfClose() throws Exception {
        RemotePortForwarder r = new RemotePortForwarder(pair.client(),
                new RemoteForward(null, 0, "127.0.0.1", target.getLocalPort()));
        int port = r.start().get(5, TimeUnit.SECONDS);
        assertThat(port).isPositive();
        assertThat(r.boundPort()).isEqualTo(port);
        for (int i = 0; i < 2; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(("ping " + i).getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                try (Socket far = target.accept()) {
                    assertThat(new String(far.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                            .isEqualTo("ping " + i);
                    far.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            }
        }
    }

    @Test
    void cancelStopsTheListenerAndASecondCancelIsRefused() throws Exception {
        RemotePortForwarder r = new RemotePortForwarder(pair.client(),
                new RemoteForward("127.0.0.1", 0, "127.0.0.1", target.getLocalPort()));
        int port = r.start().get(5, TimeUnit.SECONDS);
        r.cancel().get(5, TimeUnit.SECONDS);
        assertRefused(port);
        Future<Void> again = r.cancel().await();
        assertThat(again.cause()).isInstanceOf(IOException.class);
    }

    @Test
    void listenersCloseWhenTheConnectionCloses() throws Exception {
        int port = new RemotePortForwarder(pair.client(), new RemoteForward(null, 0, "127.0.0.1",
                target.getLocalPort())).start().get(5, TimeUnit.SECONDS);
        pair.server().close().sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (isListening(port) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertRefused(port);
        pair.errors.clear();
    }

    @Test
    void aRefusedForwardFailsWithSshsWords() throws Exception {
        try (SshPair refusing = SshPair.start(ConnectionConfig.DEFAULT,
                new ForwardingPolicy(AllowTcpForwarding.LOCAL))) {
            Future<Integer> f = new RemotePortForwarder(refusing.client(),
                    new RemoteForward(null, 0, "127.0.0.1", 9)).start().await();
            assertThat(f.cause()).isInstanceOf(IOException.class)
                    .hasMessage("remote port forwarding failed for listen port 0");
            assertThat(refusing.errors).isEmpty();
        }
    }

    @Test
    void aForwardedChannelNobodyAskedForIsAdministrativelyProhibited() throws Exception {
        new RemotePortForwarder(pair.client(), new RemoteForward(null, 0, "127.0.0.1", target.getLocalPort()))
                .start().get(5, TimeUnit.SECONDS);
        Future<SshChannel> open = pair.server().openChannel(TcpipForwardHandler.FORWARDED_TCPIP,
                new DirectTcpip("localhost", 1, "127.0.0.1", 2).encode(), new ChannelListener() {
                    @Override
                    public void onData(SshChannel channel, ByteBuf data) {
                    }
                }).await();
        assertThat(open.cause()).isInstanceOf(ChannelOpenException.class)
                .hasMessage("administratively prohibited: open failed");
    }

    @Test
    void theAllocatedPortIsOneUint32AndCancelOfAnUnknownForwardFails() throws Exception {
        Optional<byte[]> reply = pair.client().sendGlobalRequest(TcpipForward.REQUEST, true,
                new TcpipForward("localhost", 0).encode()).get(5, TimeUnit.SECONDS);
        assertThat(reply).isPresent();
        int port = TcpipForward.decodePort(reply.get());
        assertThat(port).isBetween(1, 65535);
        assertThat(pair.client().sendGlobalRequest(TcpipForward.CANCEL, true,
                new TcpipForward("127.0.0.1", port).encode()).get(5, TimeUnit.SECONDS))
                .as("cancel names the address as requested").isEmpty();
        assertThat(pair.client().sendGlobalRequest(TcpipForward.CANCEL, true,
                new TcpipForward("localhost", port).encode()).get(5, TimeUnit.SECONDS)).isPresent();
    }

    private static boolean isListening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertRefused(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write(1);
            assertThat(in.read()).as("a connection to a cancelled forwarding").isEqualTo(-1);
        } catch (ConnectException expected) {
            // Nobody listens any more.
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
