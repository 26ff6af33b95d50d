package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;

/**
 * Seals outbound packets with {@link ChaCha20Poly1305}: encrypts the length with K_1 and the body with K_2 in place,
 * then appends the Poly1305 tag over both.
 *
 * <p>Heap buffers are processed in their backing array; other buffers are copied into a reused array and back
 * ({@link PacketArray}), because both the keystream and Poly1305 are fastest on arrays. Not thread-safe (one
 * connection's event loop).
 */
final class ChaChaPolySealer extends AeadPacketCipher<ChaChaKeys> implements PacketSealer {

    ChaChaPolySealer(ChaChaKeys keys) {
        super(ChaCha20Poly1305.BLOCK_SIZE, ChaCha20Poly1305.TAG_LENGTH, keys);
    }

    @Override
    public void seal(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        checkLength(total, LENGTH_FIELD, "its length field");
        packet.ensureWritable(ChaCha20Poly1305.TAG_LENGTH);
        int start = packet.readerIndex();
        bytes.load(packet, start, total, ChaCha20Poly1305.TAG_LENGTH);
        byte[] a = bytes.array;
        int o = bytes.offset;
        keys.cryptLength(seq, a, o, a, o);
        keys.cryptBody(seq, a, o + LENGTH_FIELD, total - LENGTH_FIELD);
        keys.tag(seq, a, o, total, a, o + total);
        bytes.store(packet, start, 0, total + ChaCha20Poly1305.TAG_LENGTH);
        packet.writerIndex(packet.writerIndex() + ChaCha20Poly1305.TAG_LENGTH);
    }
}
