package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;

/** SSH_MSG_KEX_DH_GEX_GROUP, RFC 4419 section 3: the safe prime p and generator g the server chose. */
public record KexDhGexGroup(BigInteger p, BigInteger g) implements SshMessage {
    public static final int ID = 31;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return p.bitLength() / 8 + 16;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeMpint(p).writeMpint(g);
    }

    public static KexDhGexGroup decode(SshReader r) {
        KexDhGexGroup m = new KexDhGexGroup(r.readMpint(), r.readMpint());
        r.ensureEnd("KEX_DH_GEX_GROUP");
        return m;
    }
}
