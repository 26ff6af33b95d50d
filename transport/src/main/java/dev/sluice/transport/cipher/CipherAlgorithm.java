package dev.sluice.transport.cipher;

/**
 * One negotiable cipher (an encryption_algorithms name of RFC 4253 section 6.3): how many key and IV bytes the key
 * exchange must derive for it, and how to make the per-direction sealer and opener from them.
 */
public interface CipherAlgorithm {
    /** The name on the wire, e.g. {@code aes128-gcm@openssh.com}. */
    String wireName();

    /** Bytes of encryption key the key exchange derives for one direction (RFC 4253 section 7.2, keys C and D). */
    int keyLength();

    /** Bytes of initial IV the key exchange derives for one direction (keys A and B); 0 when none is used. */
    int ivLength();

    /** True when the cipher authenticates on its own, so no MAC algorithm is negotiated for it. */
    boolean isAead();

    /** A sealer keyed by copies of {@code key} and {@code iv}; the caller zeroes its arrays afterwards. */
    PacketSealer sealer(byte[] key, byte[] iv);

    /** An opener keyed by copies of {@code key} and {@code iv}; the caller zeroes its arrays afterwards. */
    PacketOpener opener(byte[] key, byte[] iv);
}
