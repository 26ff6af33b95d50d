package dev.sluice.transport.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the data types of RFC 4251 section 5 into a buffer. The writer does not own the buffer.
 */
public final class SshWriter {
    private final ByteBuf buf;

    public SshWriter(ByteBuf buf) {
        this.buf = buf;
    }

    /** A writer over a new heap buffer, for blobs (keys, signatures, exchange hashes) that end up as byte arrays. */
    public static SshWriter heap() {
        return new SshWriter(io.netty.buffer.Unpooled.buffer(128));
    }

    /** A writer over a new pooled buffer for an outbound message payload, whose first byte is {@code messageId}. */
    public static SshWriter message(ByteBufAllocator alloc, int messageId, int sizeHint) {
        ByteBuf b = alloc.buffer(sizeHint);
        b.writeByte(messageId);
        return new SshWriter(b);
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** The written bytes as an array; for heap writers the buffer needs no release. */
    public byte[] toByteArray() {
        return ByteBufUtil.getBytes(buf);
    }

    public SshWriter writeByte(int b) {
        buf.writeByte(b);
        return this;
    }

    public SshWriter writeBoolean(boolean b) {
        buf.writeByte(b ? 1 : 0);
        return this;
    }

    public SshWriter writeUint32(int v) {
        buf.writeInt(v);
        return this;
    }

    public SshWriter writeUint32(long v) {
        buf.writeInt((int) v);
        return this;
    }

    public SshWriter writeUint64(long v) {
        buf.writeLong(v);
        return this;
    }

    public SshWriter writeBytes(byte[] b) {
        buf.writeInt(b.length);
        buf.writeBytes(b);
        return this;
    }

    /** A string whose content is the readable bytes of {@code b} (not consumed). */
    public SshWriter writeBytes(ByteBuf b) {
        buf.writeInt(b.readableBytes());
        buf.writeBytes(b, b.readerIndex(), b.readableBytes());
        return this;
    }

    /** Raw bytes with no length prefix. */
    public SshWriter writeRaw(byte[] b) {
        buf.writeBytes(b);
        return this;
    }

    public SshWriter writeUtf8(String s) {
        return writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public SshWriter writeAscii(String s) {
        return writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    public SshWriter writeNameList(List<String> names) {
        return writeAscii(String.join(",", names));
    }

    /** An mpint, RFC 4251 section 5: minimal two's complement (BigInteger's encoding is exactly that). */
    public SshWriter writeMpint(BigInteger v) {
        return v.signum() == 0 ? writeUint32(0) : writeBytes(v.toByteArray());
    }

    /** An mpint from an unsigned big-endian magnitude, as curve25519 shared secrets are (RFC 8731 section 3.1). */
    public SshWriter writeMpintUnsigned(byte[] magnitude) {
        int i = 0;
        while (i < magnitude.length && magnitude[i] == 0) {
            i++;
        }
        int len = magnitude.length - i;
        boolean pad = len > 0 && (magnitude[i] & 0x80) != 0;
        buf.writeInt(len + (pad ? 1 : 0));
        if (pad) {
            buf.writeByte(0);
        }
        buf.writeBytes(magnitude, i, len);
        return this;
    }
}
