package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * SSH_MSG_CHANNEL_EXTENDED_DATA, RFC 4254 section 5.2 (data type 1 is stderr). Holds a retained slice like
 * {@link ChannelData}; whoever holds the message releases it.
 */
public final class ChannelExtendedData extends DefaultByteBufHolder implements ConnectionMessage {
    public static final byte ID = 95;
    /** SSH_EXTENDED_DATA_STDERR. */
    public static final int STDERR = 1;

    private final int recipientChannel;
    private final int dataTypeCode;

    /** Takes ownership of {@code data}. */
    public ChannelExtendedData(int recipientChannel, int dataTypeCode, ByteBuf data) {
        super(data);
        this.recipientChannel = recipientChannel;
        this.dataTypeCode = dataTypeCode;
    }

    public int recipientChannel() {
        return recipientChannel;
    }

    public int dataTypeCode() {
        return dataTypeCode;
    }

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 12 + content().readableBytes();
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeUint32(dataTypeCode).writeBytes(content());
    }

    /** Reads the body after the message number; the result holds a retained slice of the reader's buffer. */
    public static ChannelExtendedData decode(SshReader r) {
        int recipient = r.readUint32();
        int type = r.readUint32();
        ByteBuf data = r.readStringSlice();
        r.ensureEnd("SSH_MSG_CHANNEL_EXTENDED_DATA");
        return new ChannelExtendedData(recipient, type, data.retain());
    }

    @Override
    public ChannelExtendedData replace(ByteBuf content) {
        return new ChannelExtendedData(recipientChannel, dataTypeCode, content);
    }

    @Override
    public ChannelExtendedData copy() {
        return replace(content().copy());
    }

    @Override
    public ChannelExtendedData duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public ChannelExtendedData retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public ChannelExtendedData retain() {
        super.retain();
        return this;
    }

    @Override
    public ChannelExtendedData retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public ChannelExtendedData touch() {
        super.touch();
        return this;
    }

    @Override
    public ChannelExtendedData touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelExtendedData d && d.recipientChannel == recipientChannel
                && d.dataTypeCode == dataTypeCode && super.equals(o);
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 31 + recipientChannel) * 31 + dataTypeCode;
    }

    @Override
    public String toString() {
        return "ChannelExtendedData[recipient=" + recipientChannel + ", type=" + dataTypeCode + ", "
                + content().readableBytes() + " bytes]";
    }
}
