package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * The type-specific data of a {@code forwarded-streamlocal@openssh.com} CHANNEL_OPEN (OpenSSH's PROTOCOL section
 * 2.4): the socket path the server accepted the connection on, as the client asked for it in
 * {@code streamlocal-forward@openssh.com}. The reserved string is sent empty and ignored when received, as OpenSSH
 * does.
 */
public record ForwardedStreamLocal(String socketPath) {
    /** The channel type this data belongs to. */
    public static final String CHANNEL_TYPE = "forwarded-streamlocal@openssh.com";

    /** The encoded tail, ready for {@code ChannelOpen.typeSpecificData}. */
    public byte[] encode() {
        return SshWriter.heap().writeUtf8(socketPath).writeUtf8("").toByteArray();
    }

    /** Decodes the whole tail; trailing bytes are a PROTOCOL_ERROR. */
    public static ForwardedStreamLocal decode(byte[] typeSpecificData) {
        SshReader r = SshReader.of(typeSpecificData);
        String path = r.readUtf8();
        r.readUtf8();
        r.ensureEnd("forwarded-streamlocal open data");
        return new ForwardedStreamLocal(path);
    }
}
