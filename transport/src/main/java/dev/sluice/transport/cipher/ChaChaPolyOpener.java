package dev.sluice.transport.cipher;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Opens inbound packets sealed with {@link ChaCha20Poly1305}: {@link #packetLength} decrypts the length with K_1
 * without consuming it; {@link #open} checks the Poly1305 tag over the encrypted length and body in constant time,
 * and only then decrypts both in place, so the whole packet (length included) is plaintext afterwards.
 *
 * <p>Heap buffers are processed in their backing array, other buffers in a reused array (see
 * {@link ChaChaPolySealer}). Not thread-safe (one connection's event loop).
 */
final class ChaChaPolyOpener implements PacketOpener {
    private final ChaChaKeys keys;
    private final byte[] polyKey = new byte[64];
    private final byte[] lengthBytes = new byte[ChaCha20Poly1305.LENGTH_FIELD];
    private final byte[] expectedTag = new byte[ChaCha20Poly1305.TAG_LENGTH];
    private final byte[] receivedTag = new byte[ChaCha20Poly1305.TAG_LENGTH];
    private byte[] scratch = new byte[0];

    ChaChaPolyOpener(ChaChaKeys keys) {
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
    public int lengthFieldSize() {
        return ChaCha20Poly1305.LENGTH_FIELD;
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
        int authenticated = total - ChaCha20Poly1305.TAG_LENGTH;
        if (authenticated < ChaCha20Poly1305.LENGTH_FIELD) {
            throw new IllegalArgumentException("packet shorter than length and tag: " + total);
        }
        int start = packet.readerIndex();
        boolean inArray = packet.hasArray();
        byte[] a;
        int o;
        if (inArray) {
            a = packet.array();
            o = packet.arrayOffset() + start;
        } else {
            a = scratch(total);
            o = 0;
            packet.getBytes(start, a, 0, total);
        }
        keys.startPacket(seq, polyKey);
        Poly1305.mac(polyKey, 0, a, o, authenticated, expectedTag, 0);
        Arrays.fill(polyKey, (byte) 0);
        System.arraycopy(a, o + authenticated, receivedTag, 0, ChaCha20Poly1305.TAG_LENGTH);
        if (!MessageDigest.isEqual(expectedTag, receivedTag)) {
            throw SshException.disconnect(DisconnectReason.MAC_ERROR, "Corrupted MAC on input.");
        }
        keys.cryptLength(seq, a, o, a, o);
        keys.cryptBody(a, o + ChaCha20Poly1305.LENGTH_FIELD, authenticated - ChaCha20Poly1305.LENGTH_FIELD);
        if (!inArray) {
            packet.setBytes(start, a, 0, authenticated);
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
        Arrays.fill(polyKey, (byte) 0);
    }

    ChaChaKeys keysForTest() {
        return keys;
    }
}
