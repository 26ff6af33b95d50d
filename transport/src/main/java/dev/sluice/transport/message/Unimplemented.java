package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_UNIMPLEMENTED, RFC 4253 section 11.4: the peer did not understand our packet {@code sequenceNumber}. */
public record Unimplemented(int sequenceNumber) implements SshMessage {
    public static final int ID = TransportMessages.UNIMPLEMENTED;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(sequenceNumber);
    }

    public static Unimplemented decode(SshReader r) {
        Unimplemented m = new Unimplemented(r.readUint32());
        r.ensureEnd("UNIMPLEMENTED");
        return m;
    }
}
