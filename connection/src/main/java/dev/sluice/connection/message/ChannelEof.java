package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_CHANNEL_EOF, RFC 4254 section 5.3: the sender will send no more data on this channel (a half-close). */
public record ChannelEof(int recipientChannel) implements ConnectionMessage {
    public static final byte ID = 96;

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 4;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel);
    }

    /** Reads the body after the message number. */
    public static ChannelEof decode(SshReader r) {
        int recipient = r.readUint32();
        r.ensureEnd("SSH_MSG_CHANNEL_EOF");
        return new ChannelEof(recipient);
    }
}
