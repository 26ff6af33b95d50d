package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * An SSH message that encodes itself: its number and the fields after it. Implemented by the small immutable records of
 * every layer; the payload buffer produced by {@link #toPayload} is what the packet encoder frames.
 */
public interface SshMessage {
    /** The message number, the payload's first byte. */
    int id();

    /** Writes the fields after the message number, in wire order. */
    void encodeBody(SshWriter w);

    /** A rough size of the body, so that encoding allocates once. */
    default int sizeHint() {
        return 64;
    }

    /** A new buffer holding the whole payload; the caller owns it (usually by writing it to the pipeline). */
    default ByteBuf toPayload(ByteBufAllocator alloc) {
        SshWriter w = SshWriter.message(alloc, id(), 1 + sizeHint());
        try {
            encodeBody(w);
            return w.buffer();
        } catch (RuntimeException e) {
            w.buffer().release();
            throw e;
        }
    }
}
