package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Seals outbound packets with {@link ChaCha20Poly1305}: encrypts the length with K_1 and the body with K_2 in place,
 * then appends the Poly1305 tag over both.
 *
 * <p>Heap buffers are processed in their backing array; other buffers are copied into a reused array and back,
 * because the JDK's ChaCha20 works on arrays anyway (its ByteBuffer path copies through temporary arrays) and
 * Poly1305 reads arrays fastest. Not thread-safe (one connection's event loop).
 */
final class ChaChaPolySealer implements PacketSealer {
    private final ChaChaKeys keys;
    private final byte[] polyKey = new byte[64];
    private byte[] scratch = new byte[0];

    ChaChaPolySealer(ChaChaKeys keys) {
        this.keys = keys;
    }

    @Override
    public int blockSize() {
        return ChaCha20Poly1305.BLOCK_SIZE;
    }

    @Override
    public int tagLength() {
        return ChaCha20Poly1305.TAG_LENGTH;
    }

    @Override
    public int aadLength() {
        return ChaCha20Poly1305.LENGTH_FIELD;
    }

    @Override
    public void seal(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        if (total < ChaCha20Poly1305.LENGTH_FIELD) {
            throw new IllegalArgumentException("packet shorter than its length field: " + total);
        }
        packet.ensureWritable(ChaCha20Poly1305.TAG_LENGTH);
        int start = packet.readerIndex();
        boolean inArray = packet.hasArray();
        byte[] a;
        int o;
        if (inArray) {
            a = packet.array();
            o = packet.arrayOffset() + start;
        } else {
            a = scratch(total + ChaCha20Poly1305.TAG_LENGTH);
            o = 0;
            packet.getBytes(start, a, 0, total);
        }
        keys.cryptLength(seq, a, o, a, o);
        keys.startPacket(seq, polyKey);
        keys.cryptBody(a, o + ChaCha20Poly1305.LENGTH_FIELD, total - ChaCha20Poly1305.LENGTH_FIELD);
        Poly1305.mac(polyKey, 0, a, o, total, a, o + total);
        Arrays.fill(polyKey, (byte) 0);
        if (!inArray) {
            packet.setBytes(start, a, 0, total + ChaCha20Poly1305.TAG_LENGTH);
        }
        packet.writerIndex(packet.writerIndex() + ChaCha20Poly1305.TAG_LENGTH);
    }

    private byte[] scratch(int len) {
        if (scratch.length < len) {
            scratch = new byte[len];
        }
        return scratch;
    }

    @Override
    public void destroy() {
        keys.destroy();
        Arrays.fill(polyKey, (byte) 0);
    }

    ChaChaKeys keysForTest() {
        return keys;
    }
}
