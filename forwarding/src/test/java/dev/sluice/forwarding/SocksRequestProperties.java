package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the SOCKS request codec: round trips in any fragmentation, and random input handled safely. */
class SocksRequestProperties {

    @Property
    void everyRequestSurvivesEncodeThenDecodeInAnyFragmentation(@ForAll("requests") SocksRequest request,
            @ForAll @Size(max = 8) List<@IntRange(min = 1, max = 40) Integer> cuts) throws Exception {
        byte[] wire = SocksClientBytes.of(request);
        SocksServerHandshake handshake = new SocksServerHandshake();
        ByteBuf in = Unpooled.buffer();
        ByteBuf out = Unpooled.buffer();
        try {
            SocksRequest decoded = null;
            int at = 0;
            for (int cut : cuts) {
                if (at == wire.length) {
                    break;
                }
                int end = Math.min(wire.length, at + cut);
                in.writeBytes(wire, at, end - at);
                at = end;
                decoded = handshake.decode(in, out);
                if (at < wire.length) {
                    assertThat(decoded).as("decoded before the last byte").isNull();
                }
            }
            if (at < wire.length) {
                in.writeBytes(wire, at, wire.length - at);
                decoded = handshake.decode(in, out);
            }
            assertThat(decoded).isEqualTo(request);
            assertThat(in.isReadable()).isFalse();
            assertThat(out.readableBytes()).isEqualTo(request.version() == 5 ? 2 : 0);
        } finally {
            in.release();
            out.release();
        }
    }

    /** Whatever a client sends, the handshake decides within its bound and fails only with a SocksException. */
    @Property
    void randomInputIsDecidedWithinTheBound(@ForAll @Size(max = 1100) byte[] noise, @ForAll boolean socks5) {
        SocksServerHandshake handshake = new SocksServerHandshake();
        ByteBuf in = Unpooled.buffer();
        ByteBuf out = Unpooled.buffer();
        try {
            if (noise.length > 0) {
                noise[0] = (byte) (socks5 ? 5 : 4); // mostly exercise the parsers, not the version check
            }
            for (byte b : noise) {
                in.writeByte(b);
                if (handshake.decode(in, out) != null) {
                    return;
                }
            }
            assertThat(noise.length).as("undecided after %d bytes", noise.length)
                    .isLessThanOrEqualTo(SocksServerHandshake.MAX_HANDSHAKE_BYTES);
        } catch (SocksException expected) {
            assertThat(expected.reply().length).isIn(0, 2, 8, 10);
        } finally {
            in.release();
            out.release();
        }
    }

    @Provide
    Arbitrary<SocksRequest> requests() {
        Arbitrary<Integer> ports = Arbitraries.integers().between(0, 65535);
        Arbitrary<String> names = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(255);
        Arbitrary<String> users = Arbitraries.strings().withCharRange((char) 1, (char) 255).ofMaxLength(255);
        Arbitrary<String> ipv4 = Arbitraries.bytes().array(byte[].class).ofSize(4)
                .filter(a -> a[0] != 0 || a[1] != 0 || a[2] != 0 || a[3] == 0) // 0.0.0.x means SOCKS4a
                .map(NetUtil::bytesToIpAddress);
        Arbitrary<String> ipv6 = Arbitraries.bytes().array(byte[].class).ofSize(16).map(NetUtil::bytesToIpAddress);
        Arbitrary<SocksRequest> socks4 = Combinators.combine(ipv4, ports, users)
                .as((h, p, u) -> new SocksRequest(4, SocksRequest.AddressType.IPV4, h, p, u));
        Arbitrary<SocksRequest> socks4a = Combinators.combine(names, ports, users)
                .as((h, p, u) -> new SocksRequest(4, SocksRequest.AddressType.DOMAIN, h, p, u));
        Arbitrary<SocksRequest> socks5 = Combinators.combine(
                Arbitraries.oneOf(ipv4.map(h -> new Object[] {SocksRequest.AddressType.IPV4, h}),
                        ipv6.map(h -> new Object[] {SocksRequest.AddressType.IPV6, h}),
                        names.map(h -> new Object[] {SocksRequest.AddressType.DOMAIN, h})), ports)
                .as((a, p) -> new SocksRequest(5, (SocksRequest.AddressType) a[0], (String) a[1], p, ""));
        return Arbitraries.oneOf(socks4, socks4a, socks5);
    }

    @Property(tries = 200)
    void ipv6HostsNameTheSameAddress(@ForAll @Size(16) byte[] address) throws Exception {
        // The decoder's literal must resolve (without DNS) to the bytes the client sent.
        String literal = NetUtil.bytesToIpAddress(address);
        assertThat(InetAddress.getByName(literal)).isEqualTo(InetAddress.getByAddress(address));
    }
}
