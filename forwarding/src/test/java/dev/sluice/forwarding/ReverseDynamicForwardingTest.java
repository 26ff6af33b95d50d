package dev.sluice.forwarding;

import static dev.sluice.forwarding.SocksClientBytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connection.ConnectionConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reverse dynamic forwarding ({@code -R port} alone) end to end over loopback sockets: a SOCKS client connects to
 * the port the server listens on, its handshake crosses the forwarded-tcpip channel, and the client side connects to
 * the destination it names and bridges.
 */
@Timeout(60)
class ReverseDynamicForwardingTest {
    private SshPair pair;
    private ServerSocket target;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        pair = SshPair.start(ConnectionConfig.DEFAULT, ForwardingPolicy.DEFAULT);
        pair.serverHandler.authenticated("alice");
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RemotePortForwarder r = new RemotePortForwarder(pair.client(), RemoteForward.parse("0"));
        port = r.start().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws Exception {
        target.close();
        pair.close();
        assertThat(pair.errors).isEmpty();
    }

    @Test
    void socks5WithAHostNameReachesTheTargetBothWaysWithHalfClose() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(SocksClientBytes.of(new SocksRequest(5, SocksRequest.AddressType.DOMAIN,
                    "localhost", target.getLocalPort(), "")));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(hex(in, 2 + 10)).isEqualTo("0500" + "05000001000000000000");
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            try (Socket far = target.accept()) {
                assertThat(new String(far.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("ping");
                far.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("pong");
        }
    }

    @Test
    void socks4DataSentAheadOfTheReplyReachesTheTarget() throws Exception {
        byte[] request = SocksClientBytes.of(new SocksRequest(4, SocksRequest.AddressType.IPV4, "127.0.0.1",
                target.getLocalPort(), "me"));
        byte[] ahead = new byte[100_000];
        for (int i = 0; i < ahead.length; i++) {
            ahead[i] = (byte) (i * 31);
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(request);
            s.getOutputStream().write(ahead);
            s.shutdownOutput();
            try (Socket far = target.accept()) {
                assertThat(far.getInputStream().readAllBytes()).isEqualTo(ahead);
            }
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(hex(in, 8)).isEqualTo("005a000000000000");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aRefusedTargetIsSocks5ConnectionRefusedAndSocks4Rejected() throws Exception {
        int refused;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused = gone.getLocalPort();
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(SocksClientBytes.of(new SocksRequest(5, SocksRequest.AddressType.IPV4,
                    "127.0.0.1", refused, "")));
            InputStream in = s.getInputStream();
            assertThat(HexFormat.of().formatHex(in.readAllBytes())).isEqualTo("0500" + "05050001000000000000");
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(bytes(4, 1, refused >> 8, refused & 0xFF, 127, 0, 0, 1, 0));
            assertThat(HexFormat.of().formatHex(s.getInputStream().readAllBytes())).isEqualTo("005b000000000000");
        }
    }

    @Test
    void permitRemoteOpenRefusesOtherDestinationsAsNotAllowedAndLetsListedOnesThrough() throws Exception {
        PermitList permit = PermitList.parsePermitRemoteOpen(List.of("localhost:" + target.getLocalPort(),
                "10.9.9.9:*"));
        int limited = new RemotePortForwarder(pair.client(), RemoteForward.parse("0"), permit).start()
                .get(5, TimeUnit.SECONDS);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), limited)) {
            s.getOutputStream().write(SocksClientBytes.of(new SocksRequest(5, SocksRequest.AddressType.IPV4,
                    "127.0.0.1", target.getLocalPort(), "")));
            assertThat(HexFormat.of().formatHex(s.getInputStream().readAllBytes()))
                    .as("127.0.0.1 is not localhost: no lookups, as ssh").isEqualTo("0500" + "05020001000000000000");
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), limited)) {
            s.getOutputStream().write(SocksClientBytes.of(new SocksRequest(5, SocksRequest.AddressType.DOMAIN,
                    "localhost", target.getLocalPort(), "")));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(hex(in, 2 + 10)).isEqualTo("0500" + "05000001000000000000");
            try (Socket far = target.accept()) {
                far.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ok");
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), limited)) {
            s.getOutputStream().write(bytes(4, 1, 0, 80, 127, 0, 0, 1, 0));
            assertThat(HexFormat.of().formatHex(s.getInputStream().readAllBytes())).isEqualTo("005b000000000000");
        }
        int none = new RemotePortForwarder(pair.client(), RemoteForward.parse("0"),
                PermitList.parsePermitRemoteOpen(List.of("none"))).start().get(5, TimeUnit.SECONDS);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), none)) {
            s.getOutputStream().write(SocksClientBytes.of(new SocksRequest(5, SocksRequest.AddressType.DOMAIN,
                    "localhost", target.getLocalPort(), "")));
            assertThat(HexFormat.of().formatHex(s.getInputStream().readAllBytes())).isEqualTo("0500"
                    + "05020001000000000000");
        }
    }

    @Test
    void permitRemoteOpenParsesAsSshReadsIt() {
        assertThat(PermitList.parsePermitRemoteOpen(List.of("ANY")).isAny()).isTrue();
        assertThat(PermitList.parsePermitRemoteOpen(List.of("none")).permitsOpen("a", 1)).isFalse();
        PermitList l = PermitList.parsePermitRemoteOpen(List.of("db:5432", "[::1]:*", "*:443", ":1"));
        assertThat(l.toString()).isEqualTo("db:5432 [::1]:* *:443 :1");
        assertThat(l.permitsOpen("db", 5432)).isTrue();
        assertThat(l.permitsOpen("DB", 5432)).as("no lookups or case folding").isFalse();
        assertThat(l.permitsOpen("::1", 8)).isTrue();
        assertThat(l.permitsOpen("anything", 443)).isTrue();
        assertThat(l.permitsOpen("db", 5433)).isFalse();
        for (String bad : List.of("x", "x:0", "x:70000", "a:b:1", "[::1]")) {
            assertThatThrownBy(() -> PermitList.parsePermitRemoteOpen(List.of(bad)))
                    .hasMessage("bad port number in permitremoteopen");
        }
        assertThatThrownBy(() -> PermitList.parsePermitRemoteOpen(List.of("[::1:2")))
                .hasMessage("missing host in permitremoteopen");
        assertThatThrownBy(() -> PermitList.parsePermitRemoteOpen(List.of("any", "x:1")))
                .hasMessage("keyword permitremoteopen \"any\" argument must appear alone.");
    }

    @Test
    void theSocksFormParsesAndPrintsAsSshWritesIt() {
        assertThat(RemoteForward.parse("0")).isEqualTo(RemoteForward.dynamic(null, 0));
        assertThat(RemoteForward.parse("[::1]:1080")).isEqualTo(RemoteForward.dynamic("::1", 1080));
        assertThat(RemoteForward.parse("*:1080").requestAddress()).isEmpty();
        assertThat(RemoteForward.dynamic("::1", 1080).toSpec()).isEqualTo("[::1]:1080");
        assertThat(RemoteForward.dynamic(null, 0).destination()).isEqualTo("socks:0");
        assertThat(RemoteForward.parse("8080:h:80").destination()).isEqualTo("h:80");
        assertThat(RemoteForward.parse("1080").isDynamic()).isTrue();
    }

    private static String hex(DataInputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return HexFormat.of().formatHex(b);
    }
}
