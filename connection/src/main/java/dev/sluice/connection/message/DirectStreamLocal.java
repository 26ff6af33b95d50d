package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * The type-specific data of a {@code direct-streamlocal@openssh.com} CHANNEL_OPEN (OpenSSH's PROTOCOL section 2.4):
 * the Unix-domain socket the server should connect to, for the client's {@code -L [bind:]port:/remote/socket}. The
 * two reserved fields are sent empty and zero, and ignored when received, as OpenSSH does.
 */
public record DirectStreamLocal(String socketPath) {
    /** The channel type this data belongs to. */
    public static final String CHANNEL_TYPE = "direct-streamlocal@openssh.com";

    /** The encoded tail, ready for {@code ChannelOpen.typeSpecificData}. */
    public byte[] encode() {
        SshWriter w = SshWriter.heap();
        w.writeUtf8(socketPath).writeUtf8("").writeUint32(0);
        return w.toByteArray();
    }

    /** Decodes the whole tail; trailing bytes are a PROTOCOL_ERROR. */
    public static DirectStreamLocal decode(byte[] typeSpecificData) {
        SshReader r = SshReader.of(typeSpecificData);
        String path = r.readUtf8();
        r.readUtf8();
        r.readUint32();
        r.ensureEnd("direct-streamlocal open data");
        return new DirectStreamLocal(path);
    }
}
