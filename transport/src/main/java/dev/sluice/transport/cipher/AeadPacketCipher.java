package dev.sluice.transport.cipher;

/**
 * What the sealers and openers of the AEAD ciphers ({@link AesGcm}, {@link ChaCha20Poly1305}) have in common: the
 * packet shape (a 4-byte length outside the alignment, a tag after the packet), the keys of their direction and the
 * array they work in.
 *
 * <p>Everything here is final and {@link #keys} has its concrete type in each subclass, so the per-packet calls
 * stay monomorphic.
 *
 * @param <K> the algorithm's key state
 */
abstract class AeadPacketCipher<K extends AeadPacketCipher.Keys> implements PacketCipher {
    static final int LENGTH_FIELD = 4;

    /** Key material of one direction, which {@link #destroy()} wipes. */
    interface Keys {
        /** Zeroes the key material; later use throws {@link IllegalStateException}. */
        void destroy();
    }

    private final int blockSize;
    private final int tagLength;
    final K keys;
    /** The packet as an array while it is being sealed or opened. */
    final PacketArray bytes = new PacketArray();

    AeadPacketCipher(int blockSize, int tagLength, K keys) {
        this.blockSize = blockSize;
        this.tagLength = tagLength;
        this.keys = keys;
    }

    /** Zeroes the keys and the scratch array; the sealer or opener is unusable afterwards. */
    public final void destroy() {
        keys.destroy();
        bytes.destroy();
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
