package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;

/**
 * Encrypts and authenticates outbound packets for one direction of one connection.
 *
 * <p>Not thread-safe: used only on the connection's event loop. Holds key material, which {@link #destroy()}
 * zeroes when the keys are replaced.
 */
public interface PacketSealer extends PacketCipher {
    /**
     * Seals one packet in place.
     *
     * @param seq the packet's sequence number (RFC 4253 section 6.4), wrapping at 2^32
     * @param packet holds exactly {@code uint32 packet_length, byte padding_length, payload, padding} between its
     *     reader and writer index; on return those bytes are the ciphertext and the tag has been appended after
     *     them. The caller should leave {@link #tagLength()} writable bytes (the sealer grows the buffer
     *     otherwise) and keeps ownership.
     */
    void seal(int seq, ByteBuf packet);

    /** Zeroes key material; the sealer is unusable afterwards. */
    void destroy();
}
