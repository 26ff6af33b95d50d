package dev.sluice.auth.message;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * SSH_MSG_USERAUTH_REQUEST, RFC 4252 section 5. The method-specific fields stay raw; the method decodes them (for
 * publickey: {@link PublicKeyRequest}).
 */
public record UserAuthRequest(String user, String service, String method, byte[] methodData) implements SshMessage {
    public UserAuthRequest {
        methodData = methodData.clone();
    }

    @Override
    public byte[] methodData() {
        return methodData.clone();
    }

    @Override
    public int id() {
        return UserAuthMessages.REQUEST;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUtf8(user).writeAscii(service).writeAscii(method).writeRaw(methodData);
    }

    public static UserAuthRequest decode(SshReader r) {
        return new UserAuthRequest(r.readUtf8(), r.readAscii(), r.readAscii(), r.readRemaining());
    }
}
