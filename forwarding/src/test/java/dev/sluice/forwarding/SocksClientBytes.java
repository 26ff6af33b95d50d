package dev.sluice.forwarding;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;

/** What SOCKS clients send, for feeding the server side in tests: the client half of the request codec. */
final class SocksClientBytes {
    private SocksClientBytes() {
    }

    /** The bytes a client sends for {@code r}: SOCKS5 with its greeting (one method, no authentication) first. */
    static byte[] of(SocksRequest r) {
        ByteBuf b = Unpooled.buffer();
        try {
            if (r.version() == 4) {
                b.writeByte(4).writeByte(1).writeShort(r.port());
                if (r.addressType() == SocksRequest.AddressType.DOMAIN) {
                    b.writeInt(1);
                } else {
                    b.writeBytes(NetUtil.createByteArrayFromIpAddressString(r.host()));
                }
                b.writeCharSequence(r.userId(), StandardCharsets.ISO_8859_1);
                b.writeByte(0);
                if (r.addressType() == SocksRequest.AddressType.DOMAIN) {
                    b.writeCharSequence(r.host(), StandardCharsets.US_ASCII);
                    b.writeByte(0);
                }
            } else {
                b.writeBytes(new byte[] {5, 1, 0});
                b.writeBytes(new byte[] {5, 1, 0});
                switch (r.addressType()) {
                    case IPV4 -> b.writeByte(1).writeBytes(NetUtil.createByteArrayFromIpAddressString(r.host()));
                    case IPV6 -> b.writeByte(4).writeBytes(NetUtil.createByteArrayFromIpAddressString(r.host()));
                    case DOMAIN -> b.writeByte(3).writeByte(r.host().length())
                            .writeCharSequence(r.host(), StandardCharsets.US_ASCII);
                    default -> throw new IllegalArgumentException(r.toString());
                }
                b.writeShort(r.port());
            }
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
