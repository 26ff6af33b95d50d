package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile input against one running Sluice server, from raw sockets and from clients built of Sluice's own layers
 * that break the protocol on purpose. Each case asserts the server's answer (a reply line, a DISCONNECT reason, a
 * close), its log line, and then that the same server still serves an ordinary OpenSSH client through a tunnel.
 * Where OpenSSH's answer to the same bytes is telling and cheap to get, a private sshd receives them too and the
 * answers are compared.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BadInputTest {
    private static final long MIB = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STARTUP = Duration.ofSeconds(20);
    /** OpenSSH's answer to a client whose first line is not an SSH version, CR LF included. */
    private static final String INVALID_IDENTIFICATION = "Invalid SSH identification string.\r\n";
    /** OpenSSH's PACKET_MAX_SIZE (256 KiB), the largest packet_length either implementation accepts. */
    private static final int MAX_PACKET_LENGTH = 256 * 1024;

    @TempDir
    static Path dir;
    private static OpenSshKeys.KeyPairFiles clientKey;
    private static EmbeddedSluiceServer server;
    private static OpenSshServer sshd;
    private static EventLoopGroup probes;

    @BeforeAll
    static void startServers() throws Exception {
        LogCapture.install();
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
        server = EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null);
        sshd = OpenSshServer.builder().authorizedKey(clientKey.publicKeyLine()).logLevel("VERBOSE").start();
        probes = NettyTransports.newEventLoopGroup(1, "bad-input-probe");
    }

    @AfterAll
    static void stopServers() {
        if (probes != null) {
            probes.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (sshd != null) {
            sshd.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void garbageInsteadOfAVersionLineShouldGetOpenSshsReplyAndAClose() throws Exception {
        long mark = LogCapture.mark();
        int sshdMark = sshd.log().length();

        String ours = replyToGarbage(server.port());
        String theirs = replyToGarbage(sshd.port());

        assertThat(ours).isEqualTo(INVALID_IDENTIFICATION).isEqualTo(theirs);
        assertThat(LogCapture.await(mark, "invalid protocol identifier", TIMEOUT))
                .contains("kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\"");
        assertThat(awaitSshdLog(sshdMark, "invalid protocol identifier"))
                .contains("kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\"");
        assertServerStillServesANormalClient();
    }

    @Test
    void packetLengthOver256KiBShouldBeAProtocolErrorDisconnectLikeSshds() throws Exception {
        long mark = LogCapture.mark();
        int sshdMark = sshd.log().length();

        Optional<RawSshSocket.Disconnect> ours = replyToOversizedPacket(server.port());
        Optional<RawSshSocket.Disconnect> theirs = replyToOversizedPacket(sshd.port());

        String badLength = "Bad packet length " + (MAX_PACKET_LENGTH + 1) + ".";
        assertThat(ours).as("Sluice's DISCONNECT").hasValueSatisfying(d -> {
            assertThat(d.reasonCode()).isEqualTo(DisconnectReason.PROTOCOL_ERROR.code());
            assertThat(d.description()).isEqualTo(badLength);
        });
        assertThat(LogCapture.await(mark, "Bad packet length", TIMEOUT)).contains("Disconnecting")
                .contains(badLength).contains("PROTOCOL_ERROR");
        // sshd logs the same words and closes too. It also queues a DISCONNECT (PROTOCOL_ERROR, "Packet corrupt"),
        // but exits before flushing it (packet.c, ssh_packet_start_discard then sshpkt_fatal), so none arrives.
        assertThat(awaitSshdLog(sshdMark, "Bad packet length")).contains(badLength);
        theirs.ifPresent(d -> assertThat(d.reasonCode()).as("sshd's DISCONNECT reason, should one arrive")
                .isEqualTo(ours.get().reasonCode()));
        assertServerStillServesANormalClient();
    }

    @ParameterizedTest
    @EnumSource(TunnelCipher.class)
    void packetWhoseTagDoesNotVerifyShouldBeAMacErrorDisconnect(TunnelCipher cipher) throws Exception {
        long mark = LogCapture.mark();
        try (TransportProbe probe = TransportProbe.connect(probes.next(), server.port(), cipher)) {
            assertThat(probe.awaitKeyExchange(TIMEOUT).negotiated().cipherClientToServer()).isEqualTo(cipher.wireName);

            probe.send(ignoreMessage(), true);

            assertDisconnectedBy(probe.awaitClosed(TIMEOUT), DisconnectReason.MAC_ERROR, "Corrupted MAC on input.");
        }
        assertThat(LogCapture.await(mark, "Corrupted MAC on input.", TIMEOUT)).contains("Disconnecting")
                .contains("MAC_ERROR");
        // sshd, given the same corrupted packet, ends the connection too (without a DISCONNECT) and logs why.
        int sshdMark = sshd.log().length();
        try (TransportProbe probe = TransportProbe.connect(probes.next(), sshd.port(), cipher)) {
            probe.awaitKeyExchange(TIMEOUT);
            probe.send(ignoreMessage(), true);
            probe.awaitClosed(TIMEOUT);
        }
        assertThat(awaitSshdLog(sshdMark, "message authentication code incorrect")).contains("ssh_dispatch_run_fatal");
        assertServerStillServesANormalClient();
    }

    @Test
    void uncorruptedPacketFromTheSameProbeShouldBeAccepted() throws Exception {
        // The control for the MAC test: the probe's own packets are fine until it corrupts one.
        try (TransportProbe probe = TransportProbe.connect(probes.next(), server.port(), TunnelCipher.AES128_GCM)) {
            probe.awaitKeyExchange(TIMEOUT);

            probe.send(ignoreMessage(), false);
            probe.send(ignoreMessage(), false);
            Thread.sleep(300);

            assertThat(probe.isOpen()).as("connection open after valid IGNORE messages").isTrue();
        }
    }

    @Test
    void channelDataBeforeAuthenticationShouldBeAProtocolErrorDisconnect() throws Exception {
        long mark = LogCapture.mark();
        try (TransportProbe probe = TransportProbe.connect(probes.next(), server.port(), TunnelCipher.AES128_GCM)) {
            probe.awaitKeyExchange(TIMEOUT);

            // SSH_MSG_CHANNEL_DATA for channel 0 with one byte: no channel can exist before authentication.
            probe.send(new byte[] {94, 0, 0, 0, 0, 0, 0, 0, 1, 'x'}, false);

            assertDisconnectedBy(probe.awaitClosed(TIMEOUT), DisconnectReason.PROTOCOL_ERROR,
                    "before authentication");
        }
        assertThat(LogCapture.await(mark, "before authentication", TIMEOUT)).contains("Disconnecting")
                .contains("PROTOCOL_ERROR");
        assertServerStillServesANormalClient();
    }

    @Test
    void dataBeyondTheChannelWindowShouldDisconnectWithoutBufferingIt() throws Exception {
        long cap = 64 * MIB;
        int packet = 32 * 1024;
        long mark = LogCapture.mark();
        try (StalledTarget target = new StalledTarget();
                SluiceApiClient client = SluiceApiClient.connect(server.port(), clientKey.privateKey(),
                        server.hostPublicKeyLine(), TunnelCipher.AES128_GCM, STARTUP)) {
            byte[] open = new DirectTcpip("127.0.0.1", target.port(), "127.0.0.1", 40000).encode();
            SshChannel channel = client.connection().openChannel(DirectTcpip.CHANNEL_TYPE, open, (c, data) -> { })
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long initialWindow = channel.sendWindow();
            assertThat(initialWindow).as("the server's initial window").isPositive().isLessThan(cap / 4);
            // The server tolerates an overrun of 10 % of its window (as OpenSSH does); go a little past that.
            long overrun = initialWindow / 10 + 2L * packet;

            // CHANNEL_DATA straight into the packet layer, past the channel's own accounting. The channel never
            // sends, so its send window is exactly the credit the server has granted: initial window plus adjusts.
            // We send up to that credit plus the overrun, then wait: either the server grants more (its target
            // still takes data) or, once the target is full, it must disconnect. Pausing before the verdict keeps
            // our writes from racing the server's close, so its DISCONNECT is read, not reset away.
            Channel ssh = client.connection().parent();
            ChannelHandlerContext packets = ssh.pipeline().context(TransportPipeline.KEX);
            long baseline = usedBufferMemory();
            long peak = baseline;
            long[] sent = new long[1];
            long[] credit = new long[1];
            long lastProgress = System.nanoTime();
            while (ssh.isActive() && sent[0] < cap
                    && System.nanoTime() - lastProgress < TIMEOUT.toNanos()) {
                int written = ssh.eventLoop().submit(() -> {
                    credit[0] = channel.sendWindow();
                    int n = 0;
                    while (n < 8 && ssh.isWritable() && sent[0] + packet <= credit[0] + overrun) {
                        packets.write(channelData(packets.alloc(), channel.remoteId(), packet));
                        sent[0] += packet;
                        n++;
                    }
                    packets.flush();
                    return n;
                }).get();
                if (written == 0) {
                    Thread.sleep(5);
                } else {
                    lastProgress = System.nanoTime();
                }
                peak = Math.max(peak, usedBufferMemory());
            }
            // Past the overrun with no credit and no verdict for TIMEOUT: the server must have disconnected by now.
            assertThat(ssh.closeFuture().await(1000)).as("connection closed by the server after an overrun of %d"
                    + " bytes", sent[0] - credit[0]).isTrue();
            System.out.printf("[window overrun] sent %d bytes against %d of credit (initial window %d);"
                    + " buffer memory grew by at most %d bytes%n", sent[0], credit[0], initialWindow, peak - baseline);

            assertThat(sent[0]).as("bytes sent before the server disconnected").isLessThan(cap);
            assertThat(sent[0] - credit[0]).as("overrun when the server disconnected").isGreaterThan(initialWindow / 10);
            assertDisconnectedBy(TransportSession.of(ssh).closed(), DisconnectReason.PROTOCOL_ERROR,
                    "peer ignored channel window");
            assertThat(peak - baseline).as("growth of Netty buffer memory while %d bytes were pushed", sent[0])
                    .isLessThan(24 * MIB);
            assertThat(target.accepted()).isEqualTo(1);
        }
        assertThat(LogCapture.await(mark, "peer ignored channel window", TIMEOUT)).contains("Disconnecting")
                .contains("PROTOCOL_ERROR");
        assertServerStillServesANormalClient();
    }

    // ---- helpers ----

    /**
     * Sends an HTTP request line where the version line belongs and returns everything the server sent after its
     * version line until it closed, less a leading KEXINIT packet: sshd sends its KEXINIT only after the client's
     * version line, Sluice at once (RFC 4253 allows both), so only Sluice's answer can start with one.
     */
    private static String replyToGarbage(int port) throws IOException {
        try (RawSshSocket raw = RawSshSocket.connect(port, TIMEOUT)) {
            raw.readVersionLine();
            // One line only: sshd reads it byte by byte, so nothing is left unread to turn its close into a reset.
            raw.write("GET / HTTP/1.1\r\n");
            ByteBuffer reply = ByteBuffer.wrap(raw.readUntilClosed());
            if (reply.remaining() > 5 && reply.get(reply.position() + 5) == RawSshSocket.KEXINIT) {
                int length = reply.getInt();
                assertThat(length).as("KEXINIT packet length").isBetween(5, reply.remaining());
                reply.position(reply.position() + length);
            }
            return StandardCharsets.ISO_8859_1.decode(reply).toString();
        }
    }

    /**
     * Sends a valid version line, then a packet header announcing 256 KiB + 1, and returns the DISCONNECT, if one
     * came before the server closed the connection.
     */
    private static Optional<RawSshSocket.Disconnect> replyToOversizedPacket(int port) throws IOException {
        try (RawSshSocket raw = RawSshSocket.connect(port, TIMEOUT)) {
            raw.readVersionLine();
            raw.write("SSH-2.0-SluiceBadInputTest\r\n");
            // Eight bytes: a whole cipher block for "none", which sshd waits for before it checks the length.
            raw.write(ByteBuffer.allocate(8).putInt(MAX_PACKET_LENGTH + 1).array());
            Optional<RawSshSocket.Disconnect> disconnect = raw.readDisconnect();
            raw.readUntilClosed();
            return disconnect;
        }
    }

    /** Waits until the shared sshd logs a line with {@code needle} after position {@code from} of its log. */
    private static String awaitSshdLog(int from, String needle) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            String log = sshd.log();
            int at = log.indexOf(needle, from);
            if (at >= 0) {
                int end = log.indexOf('\n', at);
                return log.substring(log.lastIndexOf('\n', at) + 1, end < 0 ? log.length() : end);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sshd logged no \"" + needle + "\" within " + TIMEOUT + "; since the mark:\n"
                        + log.substring(Math.min(from, log.length())));
            }
            Thread.sleep(20);
        }
    }

    /** SSH_MSG_IGNORE with a short string. */
    private static byte[] ignoreMessage() {
        return new byte[] {2, 0, 0, 0, 4, 'p', 'a', 'd', 's'};
    }

    private static ByteBuf channelData(ByteBufAllocator alloc, int recipient, int length) {
        ByteBuf b = alloc.buffer(9 + length);
        b.writeByte(94).writeInt(recipient).writeInt(length).writeZero(length);
        return b;
    }

    private static void assertDisconnectedBy(Optional<TransportClosed> closed, DisconnectReason reason,
            String message) {
        assertThat(closed).as("why the connection ended").isPresent();
        TransportClosed c = closed.get();
        assertThat(c.local()).as("a DISCONNECT from the server, not our own close (%s)", c).isFalse();
        assertThat(c.reason()).as("%s", c).isEqualTo(reason);
        assertThat(c.message()).contains(message);
    }

    private static long usedBufferMemory() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    /** The same server, right after the bad input: an OpenSSH client tunnels 4 MiB each way through it intact. */
    private static void assertServerStillServesANormalClient() throws IOException {
        long size = 4 * MIB;
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(size, 6, TIMEOUT);
                ManagedProcess ssh = OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port()).startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, size, 6, TIMEOUT);
        }
    }

    /**
     * A target that accepts connections and never reads them, with a small receive buffer, so that whatever is
     * forwarded to it piles up at the forwarder: its channel's window must then stop the sender.
     */
    private static final class StalledTarget implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        StalledTarget() throws IOException {
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(TcpPorts.loopback(), 0));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException closed) {
                    // Stopped by close().
                }
            }, "stalled-target");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.size();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
