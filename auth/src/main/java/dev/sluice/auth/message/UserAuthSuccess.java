package dev.sluice.auth.message;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_USERAUTH_SUCCESS, RFC 4252 section 5.1. */
public record UserAuthSuccess() implements SshMessage {
    @Override
    public int id() {
        return UserAuthMessages.SUCCESS;
    }

    @Override
    public void encodeBody(SshWriter w) {
    }

    public static UserAuthSuccess decode(SshReader r) {
        r.ensureEnd("USERAUTH_SUCCESS");
        return new UserAuthSuccess();
    }
}
