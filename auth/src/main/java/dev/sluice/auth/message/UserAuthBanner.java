package dev.sluice.auth.message;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_USERAUTH_BANNER, RFC 4252 section 5.4. */
public record UserAuthBanner(String message, String languageTag) implements SshMessage {
    @Override
    public int id() {
        return UserAuthMessages.BANNER;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUtf8(message).writeAscii(languageTag);
    }

    public static UserAuthBanner decode(SshReader r) {
        UserAuthBanner m = new UserAuthBanner(r.readUtf8(), r.readAscii());
        r.ensureEnd("USERAUTH_BANNER");
        return m;
    }
}
