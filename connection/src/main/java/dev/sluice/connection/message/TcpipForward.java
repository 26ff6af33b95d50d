package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * The request-specific data of the {@code tcpip-forward} and {@code cancel-tcpip-forward} global requests, RFC 4254
 * section 7.1: the address to bind on the server ({@code ""} all, {@code "localhost"} loopback, or an address) and
 * the port (0: the server picks one and answers it in REQUEST_SUCCESS, see {@link #encodePort}).
 *
 * <p>The port is a uint32 on the wire; values above 65535 survive decoding and are for the server to refuse.
 */
public record TcpipForward(String address, int port) {
    /** The request that asks the server to listen. */
    public static final String REQUEST = "tcpip-forward";
    /** The request that asks the server to stop listening. */
    public static final String CANCEL = "cancel-tcpip-forward";

    /** The encoded request data, ready for {@code GlobalRequest.requestData}. */
    public byte[] encode() {
        return SshWriter.heap().writeUtf8(address).writeUint32(port).toByteArray();
    }

    /** Decodes the whole request data; trailing bytes are a PROTOCOL_ERROR. */
    public static TcpipForward decode(byte[] requestData) {
        SshReader r = SshReader.of(requestData);
        String address = r.readUtf8();
        int port = r.readUint32();
        r.ensureEnd("tcpip-forward request data");
        return new TcpipForward(address, port);
    }

    /** The REQUEST_SUCCESS data for a request with port 0: the port the server bound (a uint32). */
    public static byte[] encodePort(int port) {
        return SshWriter.heap().writeUint32(port).toByteArray();
    }

    /** Reads the port from a REQUEST_SUCCESS to a request with port 0; PROTOCOL_ERROR if it is not one uint32. */
    public static int decodePort(byte[] responseData) {
        SshReader r = SshReader.of(responseData);
        int port = r.readUint32();
        r.ensureEnd("tcpip-forward reply");
        return port;
    }
}
