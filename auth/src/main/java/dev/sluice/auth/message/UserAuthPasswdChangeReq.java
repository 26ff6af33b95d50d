package dev.sluice.auth.message;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_USERAUTH_PASSWD_CHANGEREQ, RFC 4252 section 8: the password was right but has expired. */
public record UserAuthPasswdChangeReq(String prompt, String languageTag) implements SshMessage {
    @Override
    public int id() {
        return UserAuthMessages.METHOD_SPECIFIC_60;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUtf8(prompt).writeAscii(languageTag);
    }

    public static UserAuthPasswdChangeReq decode(SshReader r) {
        UserAuthPasswdChangeReq m = new UserAuthPasswdChangeReq(r.readUtf8(), r.readAscii());
        r.ensureEnd("USERAUTH_PASSWD_CHANGEREQ");
        return m;
    }
}
