package dev.sluice.transport.cipher;

/**
 * {@code chacha20-poly1305@openssh.com} (OpenSSH PROTOCOL.chacha20poly1305, draft-ietf-sshm-chacha20-poly1305).
 *
 * <p>The 64-byte key splits into K_2 (first 32 bytes, the main key) and K_1 (last 32 bytes, the header key). The
 * nonce of both ChaCha20 instances is the packet sequence number as a big-endian uint64. K_1 encrypts the 4-byte
 * {@code packet_length}; K_2's keystream block 0 gives the one-time Poly1305 key (its first 32 bytes) and blocks 1
 * onwards encrypt the rest of the packet; the 16-byte tag is Poly1305 over the encrypted length and body. No IV is
 * derived.
 *
 * <p>The keystream comes from {@link ChaCha20} or, on JDKs where it is intrinsified, from the JDK's {@code ChaCha20}
 * cipher ({@link ChaChaKeys#OWN_CHACHA}); the tag from {@link Poly1305}, in SIMD lanes for long packets. Sealing 32 KiB
 * packets runs about 1.1 GB/s on JDK 17 and 1.3 GB/s on JDK 25 (CipherBenchmark, loaded 2-core Zen 4), against 0.35
 * and 0.8 GB/s for the JDK keystream with serial Poly1305, and 0.22 GB/s for Bouncy Castle's engines.
 */
final class ChaCha20Poly1305 implements CipherAlgorithm {
    static final String WIRE_NAME = "chacha20-poly1305@openssh.com";
    static final ChaCha20Poly1305 INSTANCE = new ChaCha20Poly1305();

    static final int KEY_LENGTH = 64;
    static final int BLOCK_SIZE = 8;
    static final int TAG_LENGTH = Poly1305.TAG_LENGTH;
    static final int LENGTH_FIELD = 4;

    private ChaCha20Poly1305() {
    }

    @Override
    public String wireName() {
        return WIRE_NAME;
    }

    @Override
    public int keyLength() {
        return KEY_LENGTH;
    }

    @Override
    public int ivLength() {
        return 0;
    }

    @Override
    public boolean isAead() {
        return true;
    }

    @Override
    public PacketSealer sealer(byte[] key, byte[] iv) {
        return new ChaChaPolySealer(new ChaChaKeys(key));
    }

    @Override
    public PacketOpener opener(byte[] key, byte[] iv) {
        return new ChaChaPolyOpener(new ChaChaKeys(key));
    }

    @Override
    public String toString() {
        return WIRE_NAME;
    }
}
