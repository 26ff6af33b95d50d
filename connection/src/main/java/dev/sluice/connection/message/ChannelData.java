package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * SSH_MSG_CHANNEL_DATA, RFC 4254 section 5.2. The data is a retained slice of the received payload, never copied
 * into an array; whoever holds the message releases it (as Netty's {@code DefaultHttp2DataFrame}).
 */
public final class ChannelData extends DefaultByteBufHolder implements ConnectionMessage {
    public static final byte ID = 94;
    /** Message number, recipient channel and string length in front of the data. */
    public static final int HEADER_LENGTH = 9;

    private final int recipientChannel;

    /** Takes ownership of {@code data}. */
    public ChannelData(int recipientChannel, ByteBuf data) {
        super(data);
        this.recipientChannel = recipientChannel;
    }

    public int recipientChannel() {
        return recipientChannel;
    }

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 8 + content().readableBytes();
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeBytes(content());
    }

    /**
     * Builds a whole DATA payload from {@code length} bytes of {@code src} starting at {@code index}, in one new
     * direct buffer owned by the caller; {@code src} is not modified. This is the send path: one copy, no objects.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, int recipientChannel, ByteBuf src, int index, int length) {
        ByteBuf out = alloc.ioBuffer(HEADER_LENGTH + length);
        out.writeByte(ID).writeInt(recipientChannel).writeInt(length).writeBytes(src, index, length);
        return out;
    }

    /** Reads the body after the message number; the result holds a retained slice of the reader's buffer. */
    public static ChannelData decode(SshReader r) {
        int recipient = r.readUint32();
        ByteBuf data = r.readStringSlice();
        r.ensureEnd("SSH_MSG_CHANNEL_DATA");
        return new ChannelData(recipient, data.retain());
    }

    @Override
    public ChannelData replace(ByteBuf content) {
        return new ChannelData(recipientChannel, content);
    }

    @Override
    public ChannelData copy() {
        return replace(content().copy());
    }

    @Override
    public ChannelData duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public ChannelData retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public ChannelData retain() {
        super.retain();
        return this;
    }

    @Override
    public ChannelData retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public ChannelData touch() {
        super.touch();
        return this;
    }

    @Override
    public ChannelData touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelData d && d.recipientChannel == recipientChannel && super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + recipientChannel;
    }

    @Override
    public String toString() {
        return "ChannelData[recipient=" + recipientChannel + ", " + content().readableBytes() + " bytes]";
    }
}
