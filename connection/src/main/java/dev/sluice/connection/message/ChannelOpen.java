package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;

/**
 * SSH_MSG_CHANNEL_OPEN, RFC 4254 section 5.1. The channel-type-specific tail is kept raw; types such as
 * {@code direct-tcpip} decode it into their own record ({@link DirectTcpip}).
 *
 * <p>Window and packet sizes are uint32 values in {@code int}s; use {@link Integer#toUnsignedLong} for arithmetic.
 */
public record ChannelOpen(String channelType, int senderChannel, int initialWindowSize, int maximumPacketSize,
        byte[] typeSpecificData) implements ConnectionMessage {
    public static final byte ID = 90;

    public ChannelOpen {
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
        return 16 + channelType.length() * 3 + typeSpecificData.length;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUtf8(channelType).writeUint32(senderChannel).writeUint32(initialWindowSize)
                .writeUint32(maximumPacketSize).writeRaw(typeSpecificData);
    }

    /** Reads the body after the message number. */
    public static ChannelOpen decode(SshReader r) {
        String type = r.readUtf8();
        int sender = r.readUint32();
        int window = r.readUint32();
        int maxPacket = r.readUint32();
        return new ChannelOpen(type, sender, window, maxPacket, r.readRemaining());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelOpen c && c.channelType.equals(channelType) && c.senderChannel == senderChannel
                && c.initialWindowSize == initialWindowSize && c.maximumPacketSize == maximumPacketSize
                && Arrays.equals(c.typeSpecificData, typeSpecificData);
    }

    @Override
    public int hashCode() {
        return ((channelType.hashCode() * 31 + senderChannel) * 31 + initialWindowSize) * 31 + maximumPacketSize
                + Arrays.hashCode(typeSpecificData);
    }

    @Override
    public String toString() {
        return "ChannelOpen[" + channelType + ", sender=" + senderChannel + ", window="
                + Integer.toUnsignedLong(initialWindowSize) + ", maxPacket=" + Integer.toUnsignedLong(maximumPacketSize)
                + ", " + typeSpecificData.length + " bytes]";
    }
}
