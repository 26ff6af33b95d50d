package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;

/**
 * The {@code none} cipher of RFC 4253 section 6.3: the state of both directions before the first NEWKEYS. Packets
 * pass unchanged, padded to 8 bytes including the length field, with no tag.
 *
 * <p>Stateless, so one instance is the algorithm, the sealer and the opener.
 */
final class NoneCipher implements CipherAlgorithm, PacketSealer, PacketOpener {
    static final String WIRE_NAME = "none";
    static final NoneCipher INSTANCE = new NoneCipher();

    private NoneCipher() {
    }

    @Override
    public String wireName() {
        return WIRE_NAME;
    }

    @Override
    public int keyLength() {
        return 0;
    }

    @Override
    public int ivLength() {
        return 0;
    }

    @Override
    public boolean isAead() {
        return false;
    }

    @Override
    public PacketSealer sealer(byte[] key, byte[] iv) {
        return this;
    }

    @Override
    public PacketOpener opener(byte[] key, byte[] iv) {
        return this;
    }

    @Override
    public int blockSize() {
        return 8;
    }

    @Override
    public int tagLength() {
        return 0;
    }

    @Override
    public int aadLength() {
        return 0;
    }

    @Override
    public int lengthFieldSize() {
        return 4;
    }

    @Override
    public int packetLength(int seq, ByteBuf in) {
        return in.getInt(in.readerIndex());
    }

    @Override
    public void seal(int seq, ByteBuf packet) {
        // Nothing to encrypt and no tag to append.
    }

    @Override
    public void open(int seq, ByteBuf packet) {
        // Nothing to verify or decrypt.
    }

    @Override
    public void destroy() {
        // No key material.
    }

    @Override
    public String toString() {
        return WIRE_NAME;
    }
}
