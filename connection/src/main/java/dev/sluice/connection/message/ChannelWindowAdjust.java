package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_CHANNEL_WINDOW_ADJUST, RFC 4254 section 5.2: the sender may send {@code bytesToAdd} more bytes of data (a uint32; use {@link Integer#toUnsignedLong}). */
public record ChannelWindowAdjust(int recipientChannel, int bytesToAdd) implements ConnectionMessage {
    public static final byte ID = 93;

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 8;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeUint32(bytesToAdd);
    }

    /** Reads the body after the message number. */
    public static ChannelWindowAdjust decode(SshReader r) {
        int recipient = r.readUint32();
        int bytesToAdd = r.readUint32();
        r.ensureEnd("SSH_MSG_CHANNEL_WINDOW_ADJUST");
        return new ChannelWindowAdjust(recipient, bytesToAdd);
    }
}
