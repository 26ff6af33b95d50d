package dev.sluice.auth.message;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_USERAUTH_PK_OK, RFC 4252 section 7: the server would accept a signature by this key. */
public record UserAuthPkOk(String algorithm, byte[] keyBlob) implements SshMessage {
    public UserAuthPkOk {
        keyBlob = keyBlob.clone();
    }

    @Override
    public byte[] keyBlob() {
        return keyBlob.clone();
    }

    @Override
    public int id() {
        return UserAuthMessages.METHOD_SPECIFIC_60;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeAscii(algorithm).writeBytes(keyBlob);
    }

    public static UserAuthPkOk decode(SshReader r) {
        UserAuthPkOk m = new UserAuthPkOk(r.readAscii(), r.readBytes());
        r.ensureEnd("USERAUTH_PK_OK");
        return m;
    }
}
