package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_NEWKEYS, RFC 4253 section 7.3: from here on, this direction uses the new keys. */
public record NewKeys() implements SshMessage {
    public static final int ID = TransportMessages.NEWKEYS;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
    }

    public static NewKeys decode(SshReader r) {
        r.ensureEnd("NEWKEYS");
        return new NewKeys();
    }
}
