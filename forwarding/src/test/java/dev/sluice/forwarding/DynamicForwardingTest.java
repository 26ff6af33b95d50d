package dev.sluice.forwarding;

import static dev.sluice.forwarding.ForwardingTest.async;
import static dev.sluice.forwarding.ForwardingTest.receive;
import static dev.sluice.forwarding.ForwardingTest.send;
import static dev.sluice.forwarding.SocksClientBytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connection.ConnectionConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * -D end to end over real loopback sockets: a SOCKS client (the JDK's own, or raw bytes) → DynamicPortForwarder →
 * direct-tcpip channel → DirectTcpipHandler → target.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DynamicForwardingTest {
    private static final int MIB = 1024 * 1024;

    private SshPair pair;
    private ServerSocket target;
    private InetSocketAddress socks;

    @BeforeEach
    void setUp() throws Exception {
        pair = SshPair.start(ConnectionConfig.DEFAULT, ForwardingPolicy.DEFAULT);
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        socks = new DynamicPortForwarder(pair.client(), new DynamicForward("127.0.0.1", 0), false).start()
                .get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws Exception {
        target.close();
        // Checked before closing: an abrupt close may reset a socket with control messages still in flight.
        assertThat(pair.errors).isEmpty();
        pair.close();
    }

    private Socket viaSocks() {
        return new Socket(new Proxy(Proxy.Type.SOCKS, socks));
    }

    /** Sends and receives {@code size} bytes each way at once through {@code s}, hashing both directions. */
    private void assertBothWaysIntact(Socket s, ServerSocket far, long size) throws Exception {
        CompletableFuture<String[]> farSide = async(() -> {
            try (Socket t = far.accept()) {
                CompletableFuture<String> sent = async(() -> send(t, size, 4));
                String got = receive(t, new AtomicLong());
                return new String[] {got, sent.get()};
            }
        });
        CompletableFuture<String> sent = async(() -> send(s, size, 3));
        AtomicLong count = new AtomicLong();
        String got = receive(s, count);
        String[] at = farSide.get(60, TimeUnit.SECONDS);
        assertThat(count.get()).isEqualTo(size);
        assertThat(at[0]).as("client → target").isEqualTo(sent.get());
        assertThat(got).as("target → client").isEqualTo(at[1]);
    }

    @Test
    void socks5WithAHostNameCarries16MiBBothWaysIntact() throws Exception {
        try (Socket s = viaSocks()) {
            // Unresolved: the JDK's client sends the name (address type 3), which the server resolves.
            s.connect(InetSocketAddress.createUnresolved("localhost", target.getLocalPort()), 10_000);
            assertBothWaysIntact(s, target, 16L * MIB);
        }
    }

    @Test
    void socks5WithAnIpv6AddressReachesAnIpv6Target() throws Exception {
        try (ServerSocket v6 = new ServerSocket(0, 5, InetAddress.getByName("::1")); Socket s = viaSocks()) {
            s.connect(new InetSocketAddress(InetAddress.getByName("::1"), v6.getLocalPort()), 10_000);
            assertBothWaysIntact(s, v6, MIB);
        }
    }

    @Test
    void socks4ConnectGetsGrantedAndCarriesData() throws Exception {
        CompletableFuture<Void> echo = echoOnce();
        try (Socket s = new Socket(socks.getAddress(), socks.getPort())) {
            s.setSoTimeout(10_000);
            int port = target.getLocalPort();
            s.getOutputStream().write(bytes(4, 1, port >> 8, port & 0xFF, 127, 0, 0, 1, 'm', 'e', 0, 'h', 'i'));
            s.shutdownOutput();
            byte[] reply = new byte[8];
            new DataInputStream(s.getInputStream()).readFully(reply);
            assertThat(reply[1]).as("request granted").isEqualTo((byte) 0x5A);
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .as("bytes sent right after the request, then echoed").isEqualTo("hi");
        }
        echo.get(10, TimeUnit.SECONDS);
    }

    @Test
    void socks4aResolvesTheNameOnTheServer() throws Exception {
        CompletableFuture<Void> echo = echoOnce();
        try (Socket s = new Socket(socks.getAddress(), socks.getPort())) {
            s.setSoTimeout(10_000);
            int port = target.getLocalPort();
            s.getOutputStream().write(bytes(4, 1, port >> 8, port & 0xFF, 0, 0, 0, 1, 0,
                    'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0));
            byte[] reply = new byte[8];
            new DataInputStream(s.getInputStream()).readFully(reply);
            assertThat(reply[1]).isEqualTo((byte) 0x5A);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ping");
        }
        echo.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRefusedTargetIsConnectionRefusedForTheSocksClient() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (Socket s = viaSocks()) {
            int port = dead;
            assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", port), 10_000))
                    .isInstanceOf(SocketException.class).hasMessageContaining("Connection refused");
        }
        try (Socket s = new Socket(socks.getAddress(), socks.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes(5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, dead >> 8, dead & 0xFF));
            assertThat(HexFormat.of().formatHex(s.getInputStream().readAllBytes()))
                    .isEqualTo("0500" + "05050001000000000000");
        }
    }

    @Test
    void aServerThatForbidsForwardingIsNotAllowedByRuleset() throws Exception {
        try (SshPair refusing = SshPair.start(ConnectionConfig.DEFAULT,
                new ForwardingPolicy(AllowTcpForwarding.NO))) {
            InetSocketAddress proxy = new DynamicPortForwarder(refusing.client(), new DynamicForward("127.0.0.1", 0),
                    false, Duration.ofSeconds(5)).start().get(5, TimeUnit.SECONDS);
            try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, proxy))) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", target.getLocalPort()),
                        10_000)).isInstanceOf(SocketException.class).hasMessageContaining("not allowed by ruleset");
            }
            assertThat(refusing.errors).isEmpty();
        }
    }

    @Test
    void theConnectionStaysUsableAfterMalformedClients() throws Exception {
        for (byte[] bad : new byte[][] {bytes('G', 'E', 'T', ' ', '/'), bytes(5, 0), bytes(5, 1, 0, 5, 2, 0, 1)}) {
            try (Socket s = new Socket(socks.getAddress(), socks.getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(bad);
                s.getInputStream().readAllBytes();
            } catch (IOException reset) {
                // Closing with unread input may reset: either way the server gave up on it.
            }
        }
        try (Socket s = viaSocks()) {
            s.connect(new InetSocketAddress("127.0.0.1", target.getLocalPort()), 10_000);
            assertBothWaysIntact(s, target, MIB);
        }
        assertThat(pair.client().parent().isActive()).isTrue();
    }

    private CompletableFuture<Void> echoOnce() {
        return async(() -> {
            try (Socket t = target.accept()) {
                t.getInputStream().transferTo(t.getOutputStream());
            }
            return null;
        });
    }
}
