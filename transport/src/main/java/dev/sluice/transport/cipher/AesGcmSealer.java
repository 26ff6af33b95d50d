package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
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
final class AesGcmSealer implements PacketSealer {
    private final GcmKeys keys;
    private final byte[] aad = new byte[AesGcm.AAD_LENGTH];
    private byte[] scratch = new byte[0];

    AesGcmSealer(GcmKeys keys) {
        this.keys = keys;
    }

    @Override
    public int blockSize() {
        return AesGcm.BLOCK_SIZE;
    }

    @Override
    public int tagLength() {
        return AesGcm.TAG_LENGTH;
    }

    @Override
    public int aadLength() {
        return AesGcm.AAD_LENGTH;
    }

    @Override
    public void seal(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        if (total < AesGcm.AAD_LENGTH) {
            throw new IllegalArgumentException("packet shorter than its length field: " + total);
        }
        int bodyLen = total - AesGcm.AAD_LENGTH;
        packet.ensureWritable(AesGcm.TAG_LENGTH);
        int start = packet.readerIndex();
        keys.init(Cipher.ENCRYPT_MODE);
        Cipher c = keys.cipher;
        try {
            if (packet.hasArray()) {
                byte[] a = packet.array();
                int o = packet.arrayOffset() + start;
                c.updateAAD(a, o, AesGcm.AAD_LENGTH);
                c.doFinal(a, o + AesGcm.AAD_LENGTH, bodyLen, a, o + AesGcm.AAD_LENGTH);
            } else if (!GcmKeys.COPY_DIRECT && packet.nioBufferCount() == 1) {
                packet.getBytes(start, aad);
                c.updateAAD(aad);
                ByteBuffer in = packet.nioBuffer(start + AesGcm.AAD_LENGTH, bodyLen);
                ByteBuffer out = packet.nioBuffer(start + AesGcm.AAD_LENGTH, bodyLen + AesGcm.TAG_LENGTH);
                c.doFinal(in, out);
            } else {
                // Direct memory on a JDK where copying is faster (see GcmKeys.COPY_DIRECT), or a composite buffer.
                byte[] s = scratch(total + AesGcm.TAG_LENGTH);
                packet.getBytes(start, s, 0, total);
                c.updateAAD(s, 0, AesGcm.AAD_LENGTH);
                c.doFinal(s, AesGcm.AAD_LENGTH, bodyLen, s, AesGcm.AAD_LENGTH);
                packet.setBytes(start + AesGcm.AAD_LENGTH, s, AesGcm.AAD_LENGTH, bodyLen + AesGcm.TAG_LENGTH);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        keys.advance();
        packet.writerIndex(packet.writerIndex() + AesGcm.TAG_LENGTH);
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
    }

    GcmKeys keysForTest() {
        return keys;
    }
}
