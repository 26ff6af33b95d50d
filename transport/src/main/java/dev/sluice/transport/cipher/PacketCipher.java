package dev.sluice.transport.cipher;

/**
 * The shape of one direction's packet protection, as the binary packet protocol (RFC 4253 section 6) needs it to
 * frame and pad packets. Implemented by {@link PacketSealer} (outbound) and {@link PacketOpener} (inbound).
 *
 * <p>A packet on the wire is {@code uint32 packet_length, byte padding_length, payload, padding, tag}. With an
 * AEAD cipher the length field is not part of the padding alignment ({@link #aadLength()} is 4); with a classic
 * cipher it is (0).
 */
public interface PacketCipher {
    /** The alignment the padded packet must reach (8 for no cipher and ChaCha20, 16 for AES). */
    int blockSize();

    /** Bytes of tag or MAC after the packet. */
    int tagLength();

    /**
     * 4 when {@code packet_length} stands outside the alignment (AEAD and encrypt-then-MAC modes, where the length
     * is authenticated but not part of the encrypted body), else 0.
     */
    int aadLength();
}
