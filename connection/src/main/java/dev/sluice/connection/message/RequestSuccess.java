package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;

/**
 * SSH_MSG_REQUEST_SUCCESS, RFC 4254 section 4, with its response-specific data kept raw (for
 * {@code tcpip-forward} with port 0 it holds the bound port, section 7.1).
 */
public record RequestSuccess(byte[] responseData) implements ConnectionMessage {
    public static final byte ID = 81;

    public RequestSuccess {
        responseData = responseData.clone();
    }

    @Override
    public byte[] responseData() {
        return responseData.clone();
    }

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return responseData.length;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeRaw(responseData);
    }

    /** Reads the body after the message number. */
    public static RequestSuccess decode(SshReader r) {
        return new RequestSuccess(r.readRemaining());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestSuccess s && Arrays.equals(s.responseData, responseData);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(responseData);
    }

    @Override
    public String toString() {
        return "RequestSuccess[" + responseData.length + " bytes]";
    }
}
