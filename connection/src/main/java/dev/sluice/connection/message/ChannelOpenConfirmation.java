package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;

/**
 * SSH_MSG_CHANNEL_OPEN_CONFIRMATION, RFC 4254 section 5.1, with the (normally empty) type-specific tail kept raw.
 */
public record ChannelOpenConfirmation(int recipientChannel, int senderChannel, int initialWindowSize,
        int maximumPacketSize, byte[] typeSpecificData) implements ConnectionMessage {
    public static final byte ID = 91;

    public ChannelOpenConfirmation {
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
        return 16 + typeSpecificData.length;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeUint32(senderChannel).writeUint32(initialWindowSize)
                .writeUint32(maximumPacketSize).writeRaw(typeSpecificData);
    }

    /** Reads the body after the message number. */
    public static ChannelOpenConfirmation decode(SshReader r) {
        int recipient = r.readUint32();
        int sender = r.readUint32();
        int window = r.readUint32();
        int maxPacket = r.readUint32();
        return new ChannelOpenConfirmation(recipient, sender, window, maxPacket, r.readRemaining());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelOpenConfirmation c && c.recipientChannel == recipientChannel
                && c.senderChannel == senderChannel && c.initialWindowSize == initialWindowSize
                && c.maximumPacketSize == maximumPacketSize && Arrays.equals(c.typeSpecificData, typeSpecificData);
    }

    @Override
    public int hashCode() {
        return ((recipientChannel * 31 + senderChannel) * 31 + initialWindowSize) * 31 + maximumPacketSize
                + Arrays.hashCode(typeSpecificData);
    }

    @Override
    public String toString() {
        return "ChannelOpenConfirmation[recipient=" + recipientChannel + ", sender=" + senderChannel + ", window="
                + Integer.toUnsignedLong(initialWindowSize) + ", maxPacket=" + Integer.toUnsignedLong(maximumPacketSize)
                + ", " + typeSpecificData.length + " bytes]";
    }
}
