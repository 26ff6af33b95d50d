package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;

/**
 * SSH_MSG_CHANNEL_REQUEST, RFC 4254 section 5.4 ({@code exec}, {@code pty-req}, {@code exit-status}, ...), with the
 * type-specific tail kept raw.
 */
public record ChannelRequest(int recipientChannel, String requestType, boolean wantReply, byte[] typeSpecificData)
        implements ConnectionMessage {
    public static final byte ID = 98;

    public ChannelRequest {
        typeSpecificData = typeSpecificData.clone();
    }

    @Override
    public byte[] typeSpecificData() {
        return typeSpecificData.clone();
    }

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 9 + requestType.length() * 3 + typeSpecificData.length;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeUtf8(requestType).writeBoolean(wantReply).writeRaw(typeSpecificData);
    }

    /** Reads the body after the message number. */
    public static ChannelRequest decode(SshReader r) {
        int recipient = r.readUint32();
        String type = r.readUtf8();
        boolean wantReply = r.readBoolean();
        return new ChannelRequest(recipient, type, wantReply, r.readRemaining());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelRequest c && c.recipientChannel == recipientChannel
                && c.requestType.equals(requestType) && c.wantReply == wantReply
                && Arrays.equals(c.typeSpecificData, typeSpecificData);
    }

    @Override
    public int hashCode() {
        return (recipientChannel * 31 + requestType.hashCode()) * 31 + Arrays.hashCode(typeSpecificData)
                + (wantReply ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ChannelRequest[recipient=" + recipientChannel + ", " + requestType + ", wantReply=" + wantReply
                + ", " + typeSpecificData.length + " bytes]";
    }
}
