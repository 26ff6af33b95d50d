package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;

/**
 * Decrypts and verifies inbound packets for one direction of one connection.
 *
 * <p>Not thread-safe: used only on the connection's event loop. Holds key material, which {@link #destroy()}
 * zeroes when the keys are replaced.
 */
public interface PacketOpener extends PacketCipher {
    /** Bytes that must be buffered before {@link #packetLength} can be called (4 for AEAD modes). */
    int lengthFieldSize();

    /**
     * The plaintext {@code packet_length} of the packet starting at {@code in.readerIndex()}, without consuming or
     * changing anything; {@code in} must hold at least {@link #lengthFieldSize()} readable bytes. For
     * ChaCha20-Poly1305 this decrypts the length with the header key, and may be called again for the same packet
     * (e.g. each time more of it arrives). The value is not yet authenticated; the caller bounds it before
     * buffering that much.
     */
    int packetLength(int seq, ByteBuf in);

    /**
     * Verifies and decrypts one packet in place.
     *
     * @param seq the packet's sequence number (RFC 4253 section 6.4), wrapping at 2^32
     * @param packet holds exactly {@code 4 + packet_length + tagLength()} readable bytes; on return the first
     *     {@code 4 + packet_length} of them are plaintext ({@code packet_length, padding_length, payload, padding};
     *     ChaCha20-Poly1305 decrypts the length field too). Reader and writer index are unchanged, so the tag is
     *     still readable after the plaintext. The caller keeps ownership.
     * @throws dev.sluice.transport.SshException with MAC_ERROR when the tag does not verify; the packet content is
     *     then unspecified
     */
    void open(int seq, ByteBuf packet);

    /** Zeroes key material; the opener is unusable afterwards. */
    void destroy();
}
