package dev.sluice.forwarding;

import static dev.sluice.forwarding.SocksClientBytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Known-answer tests of the SOCKS server handshake: the examples of the protocol documents and malformed input. */
class SocksServerHandshakeTest {
    private final SocksServerHandshake handshake = new SocksServerHandshake();
    private final ByteBuf in = Unpooled.buffer();
    private final ByteBuf out = Unpooled.buffer();

    @AfterEach
    void release() {
        in.release();
        out.release();
    }

    private SocksRequest feed(byte[] bytes) throws SocksException {
        in.writeBytes(bytes);
        return handshake.decode(in, out);
    }

    private String replyHex() {
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void socks4ConnectToAnIpv4AddressIsGrantedWith0x5A() throws Exception {
        // VN=4 CD=1 DSTPORT=80 DSTIP=192.0.2.7 USERID="fred" NUL
        SocksRequest r = feed(bytes(4, 1, 0, 80, 192, 0, 2, 7, 'f', 'r', 'e', 'd', 0));

        assertThat(r).isEqualTo(new SocksRequest(4, SocksRequest.AddressType.IPV4, "192.0.2.7", 80, "fred"));
        assertThat(in.isReadable()).isFalse();
        handshake.writeReply(SocksReply.SUCCEEDED, out);
        assertThat(replyHex()).isEqualTo("005a000000000000");
    }

    @Test
    void socks4aSendsTheHostNameAfterTheUserIdWhenTheAddressIs000x() throws Exception {
        SocksRequest r = feed(bytes(4, 1, 0x1F, 0x90, 0, 0, 0, 1, 0, 'e', 'x', '.', 'o', 'r', 'g', 0));

        assertThat(r).isEqualTo(new SocksRequest(4, SocksRequest.AddressType.DOMAIN, "ex.org", 8080, ""));
        handshake.writeReply(SocksReply.CONNECTION_REFUSED, out);
        assertThat(replyHex()).as("SOCKS4 has one failure code, 91").isEqualTo("005b000000000000");
    }

    @Test
    void socks5NegotiatesNoAuthenticationThenConnectsToADomainName() throws Exception {
        assertThat(feed(bytes(5, 2, 2, 0))).isNull();
        assertThat(replyHex()).as("method selection: no authentication required").isEqualTo("0500");
        out.clear();

        SocksRequest r = feed(bytes(5, 1, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0x01, 0xBB));

        assertThat(r).isEqualTo(new SocksRequest(5, SocksRequest.AddressType.DOMAIN, "localhost", 443, ""));
        assertThat(out.isReadable()).isFalse();
        handshake.writeReply(SocksReply.SUCCEEDED, out);
        assertThat(replyHex()).isEqualTo("05000001000000000000");
    }

    @Test
    void socks5CarriesIpv4AndIpv6Addresses() throws Exception {
        SocksRequest v4 = feed(bytes(5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 22));
        assertThat(v4).isEqualTo(new SocksRequest(5, SocksRequest.AddressType.IPV4, "127.0.0.1", 22, ""));

        SocksServerHandshake other = new SocksServerHandshake();
        ByteBuf v6 = Unpooled.wrappedBuffer(bytes(5, 1, 0, 5, 1, 0, 4,
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80));
        try {
            assertThat(other.decode(v6, out))
                    .isEqualTo(new SocksRequest(5, SocksRequest.AddressType.IPV6, "2001:db8::1", 80, ""));
        } finally {
            v6.release();
        }
    }

    @Test
    void aRequestArrivingOneByteAtATimeIsDecodedOnceComplete() throws Exception {
        byte[] all = bytes(5, 1, 0, 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 7, 'x', 'y');
        SocksRequest r = null;
        for (int i = 0; i < all.length - 2; i++) {
            assertThat(r).as("decoded early, after byte %d", i).isNull();
            r = feed(new byte[] {all[i]});
        }
        assertThat(r).isEqualTo(new SocksRequest(5, SocksRequest.AddressType.DOMAIN, "a.b", 7, ""));
        assertThat(replyHex()).isEqualTo("0500");
        in.writeBytes(all, all.length - 2, 2);
        assertThat(in.toString(StandardCharsets.US_ASCII)).as("data sent ahead stays for the channel").isEqualTo("xy");
    }

    @Test
    void bytesAfterTheRequestAreLeftUnread() throws Exception {
        SocksRequest r = feed(bytes(4, 1, 0, 80, 10, 0, 0, 1, 0, 'G', 'E', 'T'));

        assertThat(r.host()).isEqualTo("10.0.0.1");
        assertThat(in.toString(StandardCharsets.US_ASCII)).isEqualTo("GET");
        assertThatThrownBy(() -> handshake.decode(in, out)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUnknownVersionClosesWithoutAReply() {
        assertThatThrownBy(() -> feed(bytes('G', 'E', 'T', ' ')))
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(e.reply()).isEmpty())
                .hasMessage("unknown SOCKS version 71");
    }

    @Test
    void socks5WithoutTheNoAuthenticationMethodIsRefusedWithFF() {
        assertThatThrownBy(() -> feed(bytes(5, 2, 1, 2)))
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(e.reply()).containsExactly(5, 0xFF));
        SocksServerHandshake none = new SocksServerHandshake();
        ByteBuf zero = Unpooled.wrappedBuffer(bytes(5, 0));
        try {
            assertThatThrownBy(() -> none.decode(zero, out)).isInstanceOf(SocksException.class);
        } finally {
            zero.release();
        }
    }

    @Test
    void socks5BindAndUdpAssociateAreCommandNotSupported() throws Exception {
        feed(bytes(5, 1, 0));
        assertThatThrownBy(() -> feed(bytes(5, 2, 0, 1)))
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(ByteBufUtil.hexDump(e.reply()))
                        .isEqualTo("05070001000000000000"));
        SocksServerHandshake udp = new SocksServerHandshake();
        ByteBuf b = Unpooled.wrappedBuffer(bytes(5, 1, 0, 5, 3, 0, 1));
        try {
            assertThatThrownBy(() -> udp.decode(b, out)).hasMessage("SOCKS5 command 3 not supported");
        } finally {
            b.release();
        }
    }

    @Test
    void socks5UnknownAddressTypeIsAddressTypeNotSupported() throws Exception {
        feed(bytes(5, 1, 0));
        assertThatThrownBy(() -> feed(bytes(5, 1, 0, 2)))
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(ByteBufUtil.hexDump(e.reply()))
                        .isEqualTo("05080001000000000000"));
    }

    @Test
    void socks5RequestWithAnotherVersionIsAGeneralFailure() throws Exception {
        feed(bytes(5, 1, 0));
        assertThatThrownBy(() -> feed(bytes(4, 1, 0, 1)))
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(e.reply()[1]).isEqualTo((byte) 1));
    }

    @Test
    void socks4BindIsRejected() {
        assertThatThrownBy(() -> feed(bytes(4, 2)))
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(ByteBufUtil.hexDump(e.reply()))
                        .isEqualTo("005b000000000000"));
    }

    @Test
    void aUserIdWithoutNulWithinTheLimitIsRefusedBeforeMoreIsBuffered() throws Exception {
        assertThat(feed(bytes(4, 1, 0, 80, 1, 2, 3, 4))).isNull();
        assertThat(feed("u".repeat(SocksServerHandshake.MAX_NAME).getBytes(StandardCharsets.US_ASCII))).isNull();
        assertThatThrownBy(() -> feed(bytes('u'))).isInstanceOf(SocksException.class)
                .hasMessage("SOCKS4 user id longer than 255 bytes");
    }

    @Test
    void aSocks4aHostNameWithoutNulWithinTheLimitIsRefused() throws Exception {
        feed(bytes(4, 1, 0, 80, 0, 0, 0, 9, 0));
        assertThatThrownBy(() -> feed("h".repeat(300).getBytes(StandardCharsets.US_ASCII)))
                .hasMessage("SOCKS4a host name longer than 255 bytes");
    }

    @Test
    void emptyOrNonAsciiHostNamesAreRefused() throws Exception {
        feed(bytes(5, 1, 0));
        assertThatThrownBy(() -> feed(bytes(5, 1, 0, 3, 0, 0, 80))).hasMessage("empty host name")
                .isInstanceOfSatisfying(SocksException.class, e -> assertThat(e.reply()[1]).isEqualTo((byte) 1));
        SocksServerHandshake other = new SocksServerHandshake();
        ByteBuf b = Unpooled.wrappedBuffer(bytes(4, 1, 0, 80, 0, 0, 0, 1, 0, 'a', ' ', 'b', 0));
        try {
            assertThatThrownBy(() -> other.decode(b, out)).hasMessage("host name with byte 32");
        } finally {
            b.release();
        }
    }

    @Test
    void noReplyBeforeTheRequest() {
        assertThatThrownBy(() -> handshake.writeReply(SocksReply.SUCCEEDED, out))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void openFailuresMapToSocks5ReplyCodes() {
        assertThat(SocksReply.forOpenFailure(1, "open failed")).isEqualTo(SocksReply.NOT_ALLOWED_BY_RULESET);
        assertThat(SocksReply.forOpenFailure(2, "Connection refused")).isEqualTo(SocksReply.CONNECTION_REFUSED);
        assertThat(SocksReply.forOpenFailure(2, "Name or service not known")).isEqualTo(SocksReply.HOST_UNREACHABLE);
        assertThat(SocksReply.forOpenFailure(2, "No route to host")).isEqualTo(SocksReply.HOST_UNREACHABLE);
        assertThat(SocksReply.forOpenFailure(2, "Connection timed out")).isEqualTo(SocksReply.HOST_UNREACHABLE);
        assertThat(SocksReply.forOpenFailure(2, "Network is unreachable"))
                .isEqualTo(SocksReply.NETWORK_UNREACHABLE);
        assertThat(SocksReply.forOpenFailure(2, "something else")).isEqualTo(SocksReply.GENERAL_FAILURE);
        assertThat(SocksReply.forOpenFailure(4, "")).isEqualTo(SocksReply.GENERAL_FAILURE);
    }
}
