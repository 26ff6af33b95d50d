package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_CHANNEL_SUCCESS, RFC 4254 section 5.4: the oldest channel request that wanted a reply succeeded. */
public record ChannelSuccess(int recipientChannel) implements ConnectionMessage {
    public static final byte ID = 99;

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
    public static ChannelSuccess decode(SshReader r) {
        int recipient = r.readUint32();
        r.ensureEnd("SSH_MSG_CHANNEL_SUCCESS");
        return new ChannelSuccess(recipient);
    }
}
