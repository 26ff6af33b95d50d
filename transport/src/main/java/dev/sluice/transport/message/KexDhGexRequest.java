package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * SSH_MSG_KEY_DH_GEX_REQUEST, RFC 4419 section 3: the group sizes in bits the client accepts (min, max) and prefers
 * (n). Each is a uint32, kept as an int.
 */
public record KexDhGexRequest(int min, int n, int max) implements SshMessage {
    public static final int ID = 34;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(min).writeUint32(n).writeUint32(max);
    }

    public static KexDhGexRequest decode(SshReader r) {
        KexDhGexRequest m = new KexDhGexRequest(r.readUint32(), r.readUint32(), r.readUint32());
        r.ensureEnd("KEX_DH_GEX_REQUEST");
        return m;
    }
}
