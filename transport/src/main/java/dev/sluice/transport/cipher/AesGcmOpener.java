package dev.sluice.transport.cipher;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Opens inbound packets sealed with AES-GCM ({@link AesGcm}): verifies the tag over the plaintext length and the
 * ciphertext, then decrypts the body in place. The length is plaintext, so {@link #packetLength} just reads it.
 *
 * <p>Buffers are processed as in {@link AesGcmSealer}. Not thread-safe (one connection's event loop).
 */
final class AesGcmOpener implements PacketOpener {
    private final GcmKeys keys;
    private final byte[] aad = new byte[AesGcm.AAD_LENGTH];
    private byte[] scratch = new byte[0];

    AesGcmOpener(GcmKeys keys) {
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
    public int lengthFieldSize() {
        return AesGcm.AAD_LENGTH;
    }

    @Override
    public int packetLength(int seq, ByteBuf in) {
        return in.getInt(in.readerIndex());
    }

    @Override
    public void open(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        int sealedLen = total - AesGcm.AAD_LENGTH;
        if (sealedLen < AesGcm.TAG_LENGTH) {
            throw new IllegalArgumentException("packet shorter than length and tag: " + total);
        }
        int start = packet.readerIndex();
        keys.init(Cipher.DECRYPT_MODE);
        Cipher c = keys.cipher;
        try {
            if (packet.hasArray()) {
                byte[] a = packet.array();
                int o = packet.arrayOffset() + start;
                c.updateAAD(a, o, AesGcm.AAD_LENGTH);
                c.doFinal(a, o + AesGcm.AAD_LENGTH, sealedLen, a, o + AesGcm.AAD_LENGTH);
            } else if (!GcmKeys.COPY_DIRECT && packet.nioBufferCount() == 1) {
                packet.getBytes(start, aad);
                c.updateAAD(aad);
                ByteBuffer in = packet.nioBuffer(start + AesGcm.AAD_LENGTH, sealedLen);
                ByteBuffer out = packet.nioBuffer(start + AesGcm.AAD_LENGTH, sealedLen);
                c.doFinal(in, out);
            } else {
                // Direct memory on a JDK where copying is faster (see GcmKeys.COPY_DIRECT), or a composite buffer.
                byte[] s = scratch(total);
                packet.getBytes(start, s, 0, total);
                c.updateAAD(s, 0, AesGcm.AAD_LENGTH);
                int n = c.doFinal(s, AesGcm.AAD_LENGTH, sealedLen, s, AesGcm.AAD_LENGTH);
                packet.setBytes(start + AesGcm.AAD_LENGTH, s, AesGcm.AAD_LENGTH, n);
            }
        } catch (AEADBadTagException e) {
            throw SshException.disconnect(DisconnectReason.MAC_ERROR, "Corrupted MAC on input.");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        } finally {
            // Every packet consumes one nonce, verified or not; a failure ends the connection anyway.
            keys.advance();
        }
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
