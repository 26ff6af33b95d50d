package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Random;

/** Builds well-formed binary packets (RFC 4253 section 6) for cipher tests. */
final class TestPackets {
    private TestPackets() {
    }

    /**
     * A pooled buffer holding {@code uint32 packet_length, byte padding_length, payload, padding} for {@code cipher},
     * with the padding (4 to 4 + block size bytes, random) making the right part a multiple of the block size, and
     * room for the tag. The caller releases it.
     */
    static ByteBuf packet(PacketCipher cipher, byte[] payload, boolean direct, Random random) {
        int block = cipher.blockSize();
        int aligned = 1 + payload.length + (cipher.aadLength() == 0 ? 4 : 0);
        int padding = block - aligned % block;
        if (padding < 4) {
            padding += block;
        }
        if (random.nextBoolean()) {
            padding += block;
        }
        int packetLength = 1 + payload.length + padding;
        int capacity = 4 + packetLength + cipher.tagLength();
        ByteBuf buf = direct
                ? PooledByteBufAllocator.DEFAULT.directBuffer(capacity)
                : PooledByteBufAllocator.DEFAULT.heapBuffer(capacity);
        buf.writeInt(packetLength);
        buf.writeByte(padding);
        buf.writeBytes(payload);
        byte[] pad = new byte[padding];
        random.nextBytes(pad);
        buf.writeBytes(pad);
        return buf;
    }

    static byte[] payload(int size, Random random) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    /** The readable bytes, not consumed. */
    static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    /** A pooled buffer of the given kind holding {@code bytes}, with {@code spare} writable bytes after them. */
    static ByteBuf wrap(byte[] bytes, boolean direct, int spare) {
        ByteBuf buf = direct
                ? PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + spare)
                : PooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length + spare);
        return buf.writeBytes(bytes);
    }
}
