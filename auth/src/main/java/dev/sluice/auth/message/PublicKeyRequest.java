package dev.sluice.auth.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * The publickey method's fields of a USERAUTH_REQUEST, RFC 4252 section 7: a query when {@code signature} is null,
 * an attempt otherwise.
 */
public record PublicKeyRequest(String algorithm, byte[] keyBlob, byte[] signature) {
    public static final String METHOD = "publickey";

    public PublicKeyRequest {
        keyBlob = keyBlob.clone();
        signature = signature == null ? null : signature.clone();
    }

    @Override
    public byte[] keyBlob() {
        return keyBlob.clone();
    }

    @Override
    public byte[] signature() {
        return signature == null ? null : signature.clone();
    }

    public byte[] encode() {
        SshWriter w = SshWriter.heap();
        w.writeBoolean(signature != null).writeAscii(algorithm).writeBytes(keyBlob);
        if (signature != null) {
            w.writeBytes(signature);
        }
        return w.toByteArray();
    }

    public static PublicKeyRequest decode(byte[] methodData) {
        SshReader r = SshReader.of(methodData);
        boolean signed = r.readBoolean();
        String algorithm = r.readAscii();
        byte[] blob = r.readBytes();
        byte[] signature = signed ? r.readBytes() : null;
        r.ensureEnd("publickey request");
        return new PublicKeyRequest(algorithm, blob, signature);
    }

    /**
     * The data a publickey signature covers, RFC 4252 section 7: session identifier, then this request as sent with
     * the boolean TRUE and without the signature.
     */
    public static byte[] signedData(byte[] sessionId, String user, String service, String algorithm, byte[] keyBlob) {
        return SshWriter.heap()
                .writeBytes(sessionId)
                .writeByte(UserAuthMessages.REQUEST)
                .writeUtf8(user)
                .writeAscii(service)
                .writeAscii(METHOD)
                .writeBoolean(true)
                .writeAscii(algorithm)
                .writeBytes(keyBlob)
                .toByteArray();
    }
}
