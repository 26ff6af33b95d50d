package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** An ssh-ed25519 public key, RFC 8709: the blob is {@code string "ssh-ed25519", string key[32]}. */
final class Ed25519PublicKey implements SshPublicKey {
    static final String TYPE = "ssh-ed25519";
    static final int KEY_LENGTH = Ed25519.PUBLIC_KEY_SIZE;
    static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;
    private static final List<String> ALGORITHMS = List.of(TYPE);

    private final byte[] key;
    private final byte[] blob;

    Ed25519PublicKey(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new KeyFormatException("ssh-ed25519 key is " + key.length + " bytes, expected " + KEY_LENGTH);
        }
        this.key = key.clone();
        this.blob = SshWriter.heap().writeAscii(TYPE).writeBytes(key).toByteArray();
    }

    /** Reads what follows the type string in a blob (the reader is positioned after "ssh-ed25519"). */
    static Ed25519PublicKey decodeAfterType(SshReader r) {
        return new Ed25519PublicKey(r.readBytes());
    }

    /** The raw 32-byte key. */
    byte[] rawKey() {
        return key.clone();
    }

    @Override
    public String keyType() {
        return TYPE;
    }

    @Override
    public int bits() {
        return 256;
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    @Override
    public List<String> signatureAlgorithms() {
        return ALGORITHMS;
    }

    @Override
    public boolean verify(byte[] data, byte[] signatureBlob) {
        byte[] sig;
        try {
            SshReader r = SshReader.of(signatureBlob);
            if (!TYPE.equals(r.readAscii())) {
                return false;
            }
            sig = r.readBytes();
            // OpenSSH's ssh_ed25519_verify rejects trailing data too.
            if (sig.length != SIGNATURE_LENGTH || r.remaining() != 0) {
                return false;
            }
        } catch (SshException malformed) {
            return false;
        }
        // Bouncy Castle returns false (never throws) for a key that is not a curve point or a non-canonical S.
        return Ed25519.verify(sig, 0, key, 0, data, 0, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519PublicKey && Arrays.equals(key, ((Ed25519PublicKey) o).key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return "ED25519 " + fingerprint();
    }
}
