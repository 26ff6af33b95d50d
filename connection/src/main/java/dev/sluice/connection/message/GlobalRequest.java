package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;

/**
 * SSH_MSG_GLOBAL_REQUEST, RFC 4254 section 4: a connection-wide request such as {@code tcpip-forward} or
 * {@code keepalive@openssh.com}. The request-specific tail is kept raw.
 */
public record GlobalRequest(String requestName, boolean wantReply, byte[] requestData) implements ConnectionMessage {
    public static final byte ID = 80;

    public GlobalRequest {
        requestData = requestData.clone();
    }

    @Override
    public byte[] requestData() {
        return requestData.clone();
    }

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 9 + requestName.length() * 3 + requestData.length;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUtf8(requestName).writeBoolean(wantReply).writeRaw(requestData);
    }

    /** Reads the body after the message number. */
    public static GlobalRequest decode(SshReader r) {
        String name = r.readUtf8();
        boolean wantReply = r.readBoolean();
        return new GlobalRequest(name, wantReply, r.readRemaining());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalRequest g && g.requestName.equals(requestName) && g.wantReply == wantReply
                && Arrays.equals(g.requestData, requestData);
    }

    @Override
    public int hashCode() {
        return requestName.hashCode() * 31 + Arrays.hashCode(requestData) + (wantReply ? 1 : 0);
    }

    @Override
    public String toString() {
        return "GlobalRequest[" + requestName + ", wantReply=" + wantReply + ", " + requestData.length + " bytes]";
    }
}
