package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;

/**
 * Seals outbound packets with AES-CTR and an HMAC. RFC 4253's layout (section 6.4): the MAC of the sequence number
 * and the whole plaintext packet, then the whole packet encrypted. OpenSSH's encrypt-then-MAC layout (PROTOCOL
 * section 1.5): the length stays in plaintext, the rest is encrypted, and the MAC covers the length and ciphertext.
 *
 * <p>Works in the heap buffer's array, or a reused copy for other buffers ({@link PacketArray}). Not thread-safe
 * (one connection's event loop).
 */
final class AesCtrSealer implements PacketSealer {
    private final AesCtrKeys cipher;
    private final HmacKeys mac;
    private final boolean etm;
    private final PacketArray bytes = new PacketArray();

    /** {@code mac} null means no MAC at all (tag length 0). */
    AesCtrSealer(AesCtrKeys cipher, HmacKeys mac, boolean etm) {
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
    public void seal(int seq, ByteBuf packet) {
        int total = packet.readableBytes();
        int tag = tagLength();
        if (total < 4) {
            throw new IllegalArgumentException("packet shorter than its length field: " + total);
        }
        packet.ensureWritable(tag);
        int start = packet.readerIndex();
        bytes.load(packet, start, total, tag);
        byte[] a = bytes.array;
        int o = bytes.offset;
        if (etm) {
            cipher.crypt(a, o + 4, total - 4);
            mac.compute(seq, a, o, total, a, o + total);
        } else {
            if (mac != null) {
                mac.compute(seq, a, o, total, a, o + total);
            }
            cipher.crypt(a, o, total);
        }
        bytes.store(packet, start, 0, total + tag);
        packet.writerIndex(packet.writerIndex() + tag);
    }

    @Override
    public void destroy() {
        cipher.destroy();
        if (mac != null) {
            mac.destroy();
        }
        bytes.destroy();
    }
}
