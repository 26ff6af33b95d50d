package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Seals outbound packets with AES-GCM ({@link AesGcm}): encrypts everything after the 4-byte length in place and
 * appends the 16-byte tag.
 *
 * <p>Heap buffers are processed in their backing array. Direct buffers are processed in place through an NIO view
 * of their memory, or copied through a reused array where that measured faster ({@link GcmKeys#COPY_DIRECT}).
 * Not thread-safe (one connection's event loop).
 */
final class AesGcmSealer extends AeadPacketCipher<GcmKeys> implements PacketSealer {

    AesGcmSealer(GcmKeys keys) {
        super(AesGcm.BLOCK_SIZE, AesGcm.TAG_LENGTH, keys);
    }

    @Override
    public void seal(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        checkLength(total, LENGTH_FIELD, "its length field");
        packet.ensureWritable(AesGcm.TAG_LENGTH);
        try {
            keys.crypt(Cipher.ENCRYPT_MODE, packet, packet.readerIndex(), total - LENGTH_FIELD, bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        packet.writerIndex(packet.writerIndex() + AesGcm.TAG_LENGTH);
    }
}
