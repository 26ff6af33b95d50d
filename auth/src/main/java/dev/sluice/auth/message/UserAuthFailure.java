package dev.sluice.auth.message;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.List;

/** SSH_MSG_USERAUTH_FAILURE, RFC 4252 section 5.1: the methods that may continue, and partial success. */
public record UserAuthFailure(List<String> methods, boolean partialSuccess) implements SshMessage {
    public UserAuthFailure {
        methods = List.copyOf(methods);
    }

    @Override
    public int id() {
        return UserAuthMessages.FAILURE;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeNameList(methods).writeBoolean(partialSuccess);
    }

    public static UserAuthFailure decode(SshReader r) {
        UserAuthFailure m = new UserAuthFailure(r.readNameList(), r.readBoolean());
        r.ensureEnd("USERAUTH_FAILURE");
        return m;
    }
}
