package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VersionExchangeHandlerTest {

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readOutbound(EmbeddedChannel ch) {
        ByteBuf b = ch.readOutbound();
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void sendsOurVersionAndPassesTheRestOn() {
        TransportSession session = new TransportSession(Role.SERVER, "SSH-2.0-Sluice_test");
        EmbeddedChannel ch = new EmbeddedChannel(new VersionExchangeHandler(session));
        assertThat(readOutbound(ch)).isEqualTo("SSH-2.0-Sluice_test\r\n");

        ch.writeInbound(ascii("SSH-2.0-OpenSSH_9.2\r\nrest"));

        assertThat(session.peerVersion()).isEqualTo("SSH-2.0-OpenSSH_9.2");
        assertThat(ch.pipeline().get(VersionExchangeHandler.class)).isNull();
        ByteBuf rest = ch.readInbound();
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("rest");
        rest.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void clientAcceptsLinesBeforeTheServersVersion() {
        TransportSession session = new TransportSession(Role.CLIENT, "SSH-2.0-Sluice_test");
        EmbeddedChannel ch = new EmbeddedChannel(new VersionExchangeHandler(session));
        readOutbound(ch);

        ch.writeInbound(ascii("Welcome\r\nto the host\nSSH-1.99-Old\r\n"));

        assertThat(session.peerVersion()).isEqualTo("SSH-1.99-Old");
        ch.finishAndReleaseAll();
    }

    @Test
    void serverAnswersGarbageWithOpenSshsLineAndCloses() {
        TransportSession session = new TransportSession(Role.SERVER, "SSH-2.0-Sluice_test");
        EmbeddedChannel ch = new EmbeddedChannel(new VersionExchangeHandler(session));
        readOutbound(ch);

        ch.writeInbound(ascii("GET / HTTP/1.1\r\n"));

        assertThat(readOutbound(ch)).isEqualTo("Invalid SSH identification string.\r\n");
        assertThat(ch.isOpen()).isFalse();
        assertThat(session.closed()).get().extracting(TransportClosed::reason)
                .isEqualTo(DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED);
        ch.finishAndReleaseAll();
    }

    @Test
    void refusesAnOverlongLineWithoutWaitingForItsEnd() {
        TransportSession session = new TransportSession(Role.CLIENT, "SSH-2.0-Sluice_test");
        EmbeddedChannel ch = new EmbeddedChannel(new VersionExchangeHandler(session));
        readOutbound(ch);

        ch.writeInbound(ascii("SSH-2.0-" + "x".repeat(300)));

        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void refusesProtocolVersionOne() {
        TransportSession session = new TransportSession(Role.CLIENT, "SSH-2.0-Sluice_test");
        EmbeddedChannel ch = new EmbeddedChannel(new VersionExchangeHandler(session));
        readOutbound(ch);

        ch.writeInbound(ascii("SSH-1.5-Ancient\r\n"));

        assertThat(ch.isOpen()).isFalse();
        assertThat(session.peerVersion()).isNull();
        ch.finishAndReleaseAll();
    }
}
