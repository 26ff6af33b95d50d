package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * SSH_MSG_KEX_DH_GEX_REPLY, RFC 4419 section 3: the server's host key blob, f = g^y mod p (the mpint's octets) and the
 * signature of the exchange hash.
 */
public record KexDhGexReply(byte[] hostKey, byte[] f, byte[] signature) implements SshMessage {
    public static final int ID = 33;

    public KexDhGexReply {
        hostKey = hostKey.clone();
        f = f.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] hostKey() {
        return hostKey.clone();
    }

    @Override
    public byte[] f() {
        return f.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return hostKey.length + f.length + signature.length + 12;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeBytes(hostKey).writeBytes(f).writeBytes(signature);
    }

    public static KexDhGexReply decode(SshReader r) {
        KexDhGexReply m = new KexDhGexReply(r.readBytes(), r.readBytes(), r.readBytes());
        r.ensureEnd("KEX_DH_GEX_REPLY");
        return m;
    }
}
