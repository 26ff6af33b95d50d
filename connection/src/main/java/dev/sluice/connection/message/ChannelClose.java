package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_CHANNEL_CLOSE, RFC 4254 section 5.3: the sender is done with the channel; the id is free once both sides sent it. */
public record ChannelClose(int recipientChannel) implements ConnectionMessage {
    public static final byte ID = 97;

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
    public static ChannelClose decode(SshReader r) {
        int recipient = r.readUint32();
        r.ensureEnd("SSH_MSG_CHANNEL_CLOSE");
        return new ChannelClose(recipient);
    }
}
