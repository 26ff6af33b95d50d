package dev.sluice.connection.message;

import dev.sluice.transport.message.DirectPayload;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * SSH_MSG_CHANNEL_DATA, RFC 4254 section 5.2. The data is a retained slice of the received payload, never copied
 * into an array; whoever holds the message releases it (as Netty's {@code DefaultHttp2DataFrame}).
 */
public final class ChannelData extends DefaultByteBufHolder implements ConnectionMessage, DirectPayload {
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
    public int payloadId() {
        return ID;
    }

    @Override
    public int payloadLength() {
        return HEADER_LENGTH + content().readableBytes();
    }

    /** The send path: header and data go straight into the packet buffer, the data's only copy. */
    @Override
    public void writePayload(ByteBuf out) {
        ByteBuf data = content();
        out.writeByte(ID).writeInt(recipientChannel).writeInt(data.readableBytes())
                .writeBytes(data, data.readerIndex(), data.readableBytes());
    }

    @Override
    public int sizeHint() {
        return 8 + content().readableBytes();
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeBytes(content());
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
