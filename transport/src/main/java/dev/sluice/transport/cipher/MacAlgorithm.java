package dev.sluice.transport.cipher;

/**
 * One negotiable MAC (a mac_algorithms name of RFC 4253 section 6.4), used only with a cipher that does not
 * authenticate on its own ({@link CipherAlgorithm#isAead()} false): how many key bytes the key exchange must derive
 * for it, how long its tag is, and which of the two packet layouts it uses.
 */
public interface MacAlgorithm {
    /** The name on the wire, e.g. {@code hmac-sha2-256-etm@openssh.com}. */
    String wireName();

    /** Bytes of integrity key the key exchange derives for one direction (RFC 4253 section 7.2, keys E and F). */
    int keyLength();

    /** Bytes of MAC after each packet. */
    int macLength();

    /**
     * True for OpenSSH's encrypt-then-MAC forms ({@code -etm@openssh.com}, PROTOCOL section 1.5): the packet length
     * stays in plaintext and the MAC covers the ciphertext. False for RFC 4253's MAC over the plaintext packet.
     */
    boolean encryptThenMac();
}
