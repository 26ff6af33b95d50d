package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_REQUEST_FAILURE, RFC 4254 section 4: a global request was refused or not understood. */
public record RequestFailure() implements ConnectionMessage {
    public static final byte ID = 82;
    public static final RequestFailure INSTANCE = new RequestFailure();

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 0;
    }

    @Override
    public void encodeBody(SshWriter w) {
        // The message is its number alone.
    }

    /** Reads the (empty) body after the message number. */
    public static RequestFailure decode(SshReader r) {
        r.ensureEnd("SSH_MSG_REQUEST_FAILURE");
        return INSTANCE;
    }
}
