package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_KEX_ECDH_INIT, RFC 5656 section 4 (also RFC 8731 for curve25519): the client's ephemeral public key. */
public record KexEcdhInit(byte[] clientPublic) implements SshMessage {
    public static final int ID = 30;

    public KexEcdhInit {
        clientPublic = clientPublic.clone();
    }

    @Override
    public byte[] clientPublic() {
        return clientPublic.clone();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return clientPublic.length + 4;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeBytes(clientPublic);
    }

    public static KexEcdhInit decode(SshReader r) {
        KexEcdhInit m = new KexEcdhInit(r.readBytes());
        r.ensureEnd("KEX_ECDH_INIT");
        return m;
    }
}
