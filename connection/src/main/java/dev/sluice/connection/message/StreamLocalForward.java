package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * The request-specific data of the {@code streamlocal-forward@openssh.com} and
 * {@code cancel-streamlocal-forward@openssh.com} global requests (OpenSSH's PROTOCOL section 2.4, the client's
 * {@code ssh -R /remote/socket:…}): the Unix-domain socket path the server should listen on, or stop listening on.
 */
public record StreamLocalForward(String socketPath) {
    /** The request that asks the server to listen on a socket path. */
    public static final String REQUEST = "streamlocal-forward@openssh.com";
    /** The request that asks the server to stop listening on it. */
    public static final String CANCEL = "cancel-streamlocal-forward@openssh.com";

    /** The encoded request data, ready for {@code GlobalRequest.requestData}. */
    public byte[] encode() {
        return SshWriter.heap().writeUtf8(socketPath).toByteArray();
    }

    /** Decodes the whole request data; trailing bytes are a PROTOCOL_ERROR. */
    public static StreamLocalForward decode(byte[] requestData) {
        SshReader r = SshReader.of(requestData);
        String path = r.readUtf8();
        r.ensureEnd("streamlocal-forward request data");
        return new StreamLocalForward(path);
    }
}
