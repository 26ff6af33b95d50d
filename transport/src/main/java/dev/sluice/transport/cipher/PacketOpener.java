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
     * The plaintext {@code packet_length} of the packet starting at {@code in.readerIndex()}, without consuming
     * anything. For ChaCha20-Poly1305 this decrypts the length with the header key. The value is not yet
     * authenticated; the caller bounds it before buffering that much.
     */
    int packetLength(int seq, ByteBuf in);

    /**
     * Verifies and decrypts one packet in place.
     *
     * @param packet holds exactly {@code 4 + packet_length + tagLength()} bytes from its reader index; on return
     *     the bytes after the 4-byte length are plaintext ({@code padding_length, payload, padding}). The caller
     *     keeps ownership.
     * @throws dev.sluice.transport.SshException with MAC_ERROR when the tag does not verify; the packet content is
     *     then unspecified
     */
    void open(int seq, ByteBuf packet);

    /** Zeroes key material; the opener is unusable afterwards. */
    void destroy();
}
