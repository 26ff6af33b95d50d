package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * SSH_MSG_KEX_DH_GEX_INIT, RFC 4419 section 3: the client's e = g^x mod p. Kept as the mpint's octets, exactly as
 * they enter the exchange hash.
 */
public record KexDhGexInit(byte[] e) implements SshMessage {
    public static final int ID = 32;

    public KexDhGexInit {
        e = e.clone();
    }

    @Override
    public byte[] e() {
        return e.clone();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return e.length + 4;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeBytes(e);
    }

    public static KexDhGexInit decode(SshReader r) {
        KexDhGexInit m = new KexDhGexInit(r.readBytes());
        r.ensureEnd("KEX_DH_GEX_INIT");
        return m;
    }
}
