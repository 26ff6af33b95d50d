package dev.sluice.transport.message;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A payload that writes itself straight into the packet buffer, so bulk data (CHANNEL_DATA) reaches the cipher with
 * one copy instead of two. The packet encoder accepts it wherever it accepts a payload ByteBuf, takes ownership and
 * releases it once written.
 */
public interface DirectPayload extends ReferenceCounted {
    /** The message number, the payload's first byte. */
    int payloadId();

    /** The whole payload's length, message number included. */
    int payloadLength();

    /** Writes the whole payload, message number first, into {@code out}; does not release anything. */
    void writePayload(ByteBuf out);
}
