package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * SSH_MSG_KEX_ECDH_REPLY, RFC 5656 section 4: the server's host key blob, its ephemeral public key and its signature
 * of the exchange hash.
 */
public record KexEcdhReply(byte[] hostKey, byte[] serverPublic, byte[] signature) implements SshMessage {
    public static final int ID = 31;

    public KexEcdhReply {
        hostKey = hostKey.clone();
        serverPublic = serverPublic.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] hostKey() {
        return hostKey.clone();
    }

    @Override
    public byte[] serverPublic() {
        return serverPublic.clone();
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
        return hostKey.length + serverPublic.length + signature.length + 12;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeBytes(hostKey).writeBytes(serverPublic).writeBytes(signature);
    }

    public static KexEcdhReply decode(SshReader r) {
        KexEcdhReply m = new KexEcdhReply(r.readBytes(), r.readBytes(), r.readBytes());
        r.ensureEnd("KEX_ECDH_REPLY");
        return m;
    }
}
