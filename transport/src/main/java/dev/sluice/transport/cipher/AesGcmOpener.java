package dev.sluice.transport.cipher;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Opens inbound packets sealed with AES-GCM ({@link AesGcm}): verifies the tag over the plaintext length and the
 * ciphertext, then decrypts the body in place. The length is plaintext, so {@link #packetLength} just reads it.
 *
 * <p>Buffers are processed as in {@link AesGcmSealer}. Not thread-safe (one connection's event loop).
 */
final class AesGcmOpener extends AeadPacketCipher<GcmKeys> implements PacketOpener {

    AesGcmOpener(GcmKeys keys) {
        super(AesGcm.BLOCK_SIZE, AesGcm.TAG_LENGTH, keys);
    }

    @Override
    public int packetLength(int seq, ByteBuf in) {
        return in.getInt(in.readerIndex());
    }

    @Override
    public void open(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        checkLength(total, LENGTH_FIELD + AesGcm.TAG_LENGTH, "length and tag");
        try {
            keys.crypt(Cipher.DECRYPT_MODE, packet, packet.readerIndex(), total - LENGTH_FIELD, bytes);
        } catch (AEADBadTagException e) {
            throw SshException.disconnect(DisconnectReason.MAC_ERROR, "Corrupted MAC on input.");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }
}
