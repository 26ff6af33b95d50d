package dev.sluice.transport.cipher;

/**
 * What the sealers and openers of the AEAD ciphers ({@link AesGcm}, {@link ChaCha20Poly1305}) have in common: the
 * packet shape (a 4-byte length outside the alignment, a tag after the packet) and the array they work in.
 *
 * <p>Everything here is final, so the per-packet calls stay monomorphic.
 */
abstract class AeadPacketCipher implements PacketCipher {
    static final int LENGTH_FIELD = 4;

    private final int blockSize;
    private final int tagLength;
    /** The packet as an array while it is being sealed or opened. */
    final PacketArray bytes = new PacketArray();

    AeadPacketCipher(int blockSize, int tagLength) {
        this.blockSize = blockSize;
        this.tagLength = tagLength;
    }

    @Override
    public final int blockSize() {
        return blockSize;
    }

    @Override
    public final int tagLength() {
        return tagLength;
    }

    @Override
    public final int aadLength() {
        return LENGTH_FIELD;
    }

    /** For openers: the length field is what must be buffered before the packet length is known. */
    public final int lengthFieldSize() {
        return LENGTH_FIELD;
    }

    /** Throws unless a packet of {@code total} bytes holds at least {@code min}, naming what that minimum is. */
    static void checkLength(int total, int min, String what) {
        if (total < min) {
            throw new IllegalArgumentException("packet shorter than " + what + ": " + total);
        }
    }
}
