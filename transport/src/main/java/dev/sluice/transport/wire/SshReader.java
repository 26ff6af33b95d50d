package dev.sluice.transport.wire;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the data types of RFC 4251 section 5 from a buffer, failing with a PROTOCOL_ERROR {@link SshException} on
 * anything truncated or oversized.
 *
 * <p>The reader borrows the buffer: it never releases it and the caller keeps ownership. Slices it returns are
 * valid only while the buffer is.
 */
public final class SshReader {
    /** No single string in a packet can be longer than a packet (256 KiB), which bounds every allocation. */
    private static final int MAX_STRING = 256 * 1024;

    private final ByteBuf buf;

    public SshReader(ByteBuf buf) {
        this.buf = buf;
    }

    /** A reader over a byte array, for blobs such as public keys and signatures. */
    public static SshReader of(byte[] bytes) {
        return new SshReader(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
    }

    /** A reader over a message payload's fields: everything after the message number, not consuming the payload. */
    public static SshReader body(ByteBuf payload) {
        return new SshReader(payload.slice(payload.readerIndex() + 1, payload.readableBytes() - 1));
    }

    public int remaining() {
        return buf.readableBytes();
    }

    public byte readByte() {
        need(1);
        return buf.readByte();
    }

    public boolean readBoolean() {
        return readByte() != 0;
    }

    /** A uint32 as a Java int; use {@link Integer#toUnsignedLong} for arithmetic. */
    public int readUint32() {
        need(4);
        return buf.readInt();
    }

    public long readUint64() {
        need(8);
        return buf.readLong();
    }

    /** A string as a copied byte array. */
    public byte[] readBytes() {
        int len = readLength();
        byte[] out = new byte[len];
        buf.readBytes(out);
        return out;
    }

    /** A string as a slice of the underlying buffer, valid while the buffer is. */
    public ByteBuf readStringSlice() {
        return buf.readSlice(readLength());
    }

    /** A string decoded as UTF-8 (RFC 4251 allows ISO-10646 UTF-8 text in most string fields). */
    public String readUtf8() {
        int len = readLength();
        String s = buf.toString(buf.readerIndex(), len, StandardCharsets.UTF_8);
        buf.skipBytes(len);
        return s;
    }

    /** A name-list, RFC 4251 section 5: comma-separated, no empty names. */
    public List<String> readNameList() {
        String all = readAscii();
        if (all.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String name : all.split(",", -1)) {
            if (name.isEmpty()) {
                throw SshException.disconnect(PROTOCOL_ERROR, "empty name in name-list \"%s\"", all);
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    public String readAscii() {
        int len = readLength();
        String s = buf.toString(buf.readerIndex(), len, StandardCharsets.US_ASCII);
        buf.skipBytes(len);
        return s;
    }

    /** An mpint, RFC 4251 section 5: two's complement, big-endian. */
    public BigInteger readMpint() {
        byte[] b = readBytes();
        return b.length == 0 ? BigInteger.ZERO : new BigInteger(b);
    }

    /** Everything left, copied. */
    public byte[] readRemaining() {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /** Fails unless the message was consumed exactly: trailing bytes are a protocol error (as Go's Unmarshal). */
    public void ensureEnd(String what) {
        if (buf.isReadable()) {
            throw SshException.disconnect(PROTOCOL_ERROR, "%d trailing bytes after %s", buf.readableBytes(), what);
        }
    }

    private int readLength() {
        int len = readUint32();
        if (len < 0 || len > MAX_STRING) {
            throw SshException.disconnect(PROTOCOL_ERROR, "string length %d too large", Integer.toUnsignedLong(len));
        }
        need(len);
        return len;
    }

    private void need(int n) {
        if (buf.readableBytes() < n) {
            throw SshException.disconnect(PROTOCOL_ERROR, "message truncated: need %d bytes, have %d",
                    n, buf.readableBytes());
        }
    }
}
