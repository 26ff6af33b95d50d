package dev.sluice.transport.cipher;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A packet's bytes as a {@code byte[]} for cipher code that works on arrays: a heap buffer's own backing array, or
 * else (direct or composite buffers) a copy in a scratch array that is reused from packet to packet and written back
 * afterwards. Copying 32 KiB costs a few microseconds, far less than ChaCha20-Poly1305 or, on JDK 25, AES-GCM
 * through an NIO view (see {@link GcmKeys#COPY_DIRECT}).
 *
 * <p>Not thread-safe (one connection's event loop).
 */
final class PacketArray {
    private byte[] scratch = new byte[0];
    /** The array holding the bytes after {@link #load}. */
    byte[] array;
    /** Where the first loaded byte is in {@link #array}. */
    int offset;
    private boolean copied;

    /**
     * Makes {@code packet[start, start+len)} readable and writable at {@code array[offset]}, with at least
     * {@code room} bytes after it (which a heap buffer's caller has ensured writable).
     */
    void load(ByteBuf packet, int start, int len, int room) {
        if (packet.hasArray()) {
            array = packet.array();
            offset = packet.arrayOffset() + start;
            copied = false;
        } else {
            if (scratch.length < len + room) {
                scratch = new byte[len + room];
            }
            packet.getBytes(start, scratch, 0, len);
            array = scratch;
            offset = 0;
            copied = true;
        }
    }

    /** Copies {@code len} bytes from {@code from} (relative to the loaded start) back, if {@link #load} copied. */
    void store(ByteBuf packet, int start, int from, int len) {
        if (copied) {
            packet.setBytes(start + from, array, from, len);
        }
        array = null;
    }

    /** Zeroes the scratch array, which held plaintext. */
    void destroy() {
        Arrays.fill(scratch, (byte) 0);
        array = null;
    }

    byte[] scratchForTest() {
        return scratch;
    }
}
