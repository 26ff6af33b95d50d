package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_IGNORE, RFC 4253 section 11.2. */
public record Ignore(byte[] data) implements SshMessage {
    public static final int ID = TransportMessages.IGNORE;

    public Ignore {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeBytes(data);
    }

    public static Ignore decode(SshReader r) {
        return new Ignore(r.readBytes());
    }
}
