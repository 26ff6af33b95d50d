package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * The type-specific data of a {@code direct-tcpip} CHANNEL_OPEN, RFC 4254 section 7.2: where the server should
 * connect, and who connected to the client's listening port. The same layout serves {@code forwarded-tcpip}
 * (section 7.2, with the first pair being the address that was connected).
 *
 * <p>Ports are uint32 on the wire; values outside 0 to 65535 survive decoding and are for the policy to refuse.
 */
public record DirectTcpip(String host, int port, String originatorAddress, int originatorPort) {
    /** The channel type this data belongs to. */
    public static final String CHANNEL_TYPE = "direct-tcpip";

    /** The encoded tail, ready for {@code ChannelOpen.typeSpecificData}. */
    public byte[] encode() {
        SshWriter w = SshWriter.heap();
        w.writeUtf8(host).writeUint32(port).writeUtf8(originatorAddress).writeUint32(originatorPort);
        return w.toByteArray();
    }

    /** Decodes the whole tail; trailing bytes are a PROTOCOL_ERROR. */
    public static DirectTcpip decode(byte[] typeSpecificData) {
        SshReader r = SshReader.of(typeSpecificData);
        String host = r.readUtf8();
        int port = r.readUint32();
        String originator = r.readUtf8();
        int originatorPort = r.readUint32();
        r.ensureEnd("direct-tcpip open data");
        return new DirectTcpip(host, port, originator, originatorPort);
    }
}
