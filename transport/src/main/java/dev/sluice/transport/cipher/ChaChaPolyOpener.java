package dev.sluice.transport.cipher;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;

/**
 * Opens inbound packets sealed with {@link ChaCha20Poly1305}: {@link #packetLength} decrypts the length with K_1
 * without consuming it; {@link #open} checks the Poly1305 tag over the encrypted length and body in constant time,
 * and only then decrypts both in place, so the whole packet (length included) is plaintext afterwards.
 *
 * <p>Buffers are processed as in {@link ChaChaPolySealer}. Not thread-safe (one connection's event loop).
 */
final class ChaChaPolyOpener extends AeadPacketCipher<ChaChaKeys> implements PacketOpener {
    private final byte[] lengthBytes = new byte[LENGTH_FIELD];
    private final byte[] expectedTag = new byte[ChaCha20Poly1305.TAG_LENGTH];

    ChaChaPolyOpener(ChaChaKeys keys) {
        super(ChaCha20Poly1305.BLOCK_SIZE, ChaCha20Poly1305.TAG_LENGTH, keys);
    }

    @Override
    public int packetLength(int seq, ByteBuf in) {
        in.getBytes(in.readerIndex(), lengthBytes);
        keys.cryptLength(seq, lengthBytes, 0, lengthBytes, 0);
        return (lengthBytes[0] & 0xFF) << 24 | (lengthBytes[1] & 0xFF) << 16 | (lengthBytes[2] & 0xFF) << 8
                | (lengthBytes[3] & 0xFF);
    }

    @Override
    public void open(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        checkLength(total, LENGTH_FIELD + ChaCha20Poly1305.TAG_LENGTH, "length and tag");
        int authenticated = total - ChaCha20Poly1305.TAG_LENGTH;
        int start = packet.readerIndex();
        bytes.load(packet, start, total, 0);
        byte[] a = bytes.array;
        int o = bytes.offset;
        keys.tag(seq, a, o, authenticated, expectedTag, 0);
        // Constant time: every byte is compared whatever the first difference.
        int diff = 0;
        for (int i = 0; i < ChaCha20Poly1305.TAG_LENGTH; i++) {
            diff |= expectedTag[i] ^ a[o + authenticated + i];
        }
        if (diff != 0) {
            throw SshException.disconnect(DisconnectReason.MAC_ERROR, "Corrupted MAC on input.");
        }
        keys.cryptLength(seq, a, o, a, o);
        keys.cryptBody(seq, a, o + LENGTH_FIELD, authenticated - LENGTH_FIELD);
        bytes.store(packet, start, 0, authenticated);
    }
}
