package dev.sluice.transport.cipher;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Opens inbound packets sealed by {@link AesCtrSealer}. With RFC 4253's layout the length is encrypted, so
 * {@link #packetLength} decrypts the first block (advancing the counter) and keeps it for {@link #open}; then the rest
 * is decrypted and the MAC over the plaintext checked. With encrypt-then-MAC the length is read as it is, and the
 * MAC is checked before anything is decrypted. MACs are compared in constant time.
 *
 * <p>Not thread-safe (one connection's event loop).
 */
final class AesCtrOpener implements PacketOpener {
    private final AesCtrKeys cipher;
    private final HmacKeys mac;
    private final boolean etm;
    private final PacketArray bytes = new PacketArray();
    /** The current packet's first block, decrypted by {@link #packetLength} before the rest has arrived. */
    private final byte[] firstBlock = new byte[AesCtr.BLOCK_SIZE];
    private boolean firstBlockDecrypted;

    /** {@code mac} null means no MAC at all (tag length 0). */
    AesCtrOpener(AesCtrKeys cipher, HmacKeys mac, boolean etm) {
        this.cipher = cipher;
        this.mac = mac;
        this.etm = etm;
    }

    @Override
    public int blockSize() {
        return AesCtr.BLOCK_SIZE;
    }

    @Override
    public int tagLength() {
        return mac == null ? 0 : mac.length();
    }

    @Override
    public int aadLength() {
        return etm ? 4 : 0;
    }

    @Override
    public int lengthFieldSize() {
        return etm ? 4 : AesCtr.BLOCK_SIZE;
    }

    @Override
    public int packetLength(int seq, ByteBuf in) {
        if (etm) {
            return in.getInt(in.readerIndex());
        }
        if (!firstBlockDecrypted) {
            in.getBytes(in.readerIndex(), firstBlock);
            cipher.crypt(firstBlock, 0, AesCtr.BLOCK_SIZE);
            firstBlockDecrypted = true;
        }
        return (firstBlock[0] & 0xff) << 24 | (firstBlock[1] & 0xff) << 16 | (firstBlock[2] & 0xff) << 8
                | (firstBlock[3] & 0xff);
    }

    @Override
    public void open(int seq, ByteBuf packet) {
        int tag = tagLength();
        int body = packet.readableBytes() - tag;
        if (body < lengthFieldSize()) {
            throw new IllegalArgumentException("packet shorter than its first block and MAC: " + (body + tag));
        }
        int start = packet.readerIndex();
        bytes.load(packet, start, body + tag, 0);
        byte[] a = bytes.array;
        int o = bytes.offset;
        if (etm) {
            checkMac(seq, a, o, body);
            cipher.crypt(a, o + 4, body - 4);
        } else {
            if (firstBlockDecrypted) {
                System.arraycopy(firstBlock, 0, a, o, AesCtr.BLOCK_SIZE);
                cipher.crypt(a, o + AesCtr.BLOCK_SIZE, body - AesCtr.BLOCK_SIZE);
                firstBlockDecrypted = false;
            } else {
                cipher.crypt(a, o, body);
            }
            checkMac(seq, a, o, body);
        }
        bytes.store(packet, start, 0, body);
    }

    private void checkMac(int seq, byte[] a, int o, int body) {
        if (mac != null && !mac.verify(seq, a, o, body, o + body)) {
            throw SshException.disconnect(DisconnectReason.MAC_ERROR, "Corrupted MAC on input.");
        }
    }

    @Override
    public void destroy() {
        cipher.destroy();
        if (mac != null) {
            mac.destroy();
        }
        bytes.destroy();
        Arrays.fill(firstBlock, (byte) 0);
    }
}
