package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * An ECDSA public key on a NIST curve, RFC 5656 section 3.1: the blob is {@code string "ecdsa-sha2-nistpN",
 * string "nistpN", string Q} with Q an uncompressed point; signatures are {@code string name, string (mpint r,
 * mpint s)} over SHA-256, SHA-384 or SHA-512 of the data (section 6.2.1).
 */
final class EcdsaPublicKey implements SshPublicKey {

    /** The three curves, by SSH name, with their hashes. */
    enum Curve {
        NISTP256("nistp256", "secp256r1", 256),
        NISTP384("nistp384", "secp384r1", 384),
        NISTP521("nistp521", "secp521r1", 521);

        final String identifier;
        final String keyType;
        final int bits;
        final ECDomainParameters domain;

        Curve(String identifier, String secName, int bits) {
            this.identifier = identifier;
            this.keyType = "ecdsa-sha2-" + identifier;
            this.bits = bits;
            X9ECParameters x9 = CustomNamedCurves.getByName(secName);
            this.domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
        }

        /** RFC 5656 section 6.2.1: SHA-256 up to 256 bits, SHA-384 up to 384, SHA-512 above. */
        Digest digest() {
            return bits <= 256 ? new SHA256Digest() : bits <= 384 ? new SHA384Digest() : new SHA512Digest();
        }

        static Curve byKeyType(String keyType) {
            for (Curve c : values()) {
                if (c.keyType.equals(keyType)) {
                    return c;
                }
            }
            return null;
        }

        static Curve byBits(int bits) {
            for (Curve c : values()) {
                if (c.bits == bits) {
                    return c;
                }
            }
            return null;
        }

        /** Q from its uncompressed encoding; it must be a point of the curve other than infinity. */
        ECPoint decodePoint(byte[] q) {
            int fieldBytes = (domain.getCurve().getFieldSize() + 7) / 8;
            if (q.length != 1 + 2 * fieldBytes || q[0] != 4) {
                throw new KeyFormatException(keyType + " key is not an uncompressed point");
            }
            try {
                ECPoint p = domain.getCurve().decodePoint(q);
                if (p.isInfinity() || !p.isValid()) {
                    throw new KeyFormatException(keyType + " key is not a valid curve point");
                }
                return p;
            } catch (IllegalArgumentException e) {
                throw new KeyFormatException(keyType + " key is not on the curve", e);
            }
        }
    }

    private final Curve curve;
    private final ECPoint q;
    private final byte[] blob;

    EcdsaPublicKey(Curve curve, ECPoint q) {
        this.curve = curve;
        this.q = q.normalize();
        this.blob = SshWriter.heap().writeAscii(curve.keyType).writeAscii(curve.identifier)
                .writeBytes(this.q.getEncoded(false)).toByteArray();
    }

    /** Reads what follows the type string in a blob: the curve identifier, which must match the type, and Q. */
    static EcdsaPublicKey decodeAfterType(Curve curve, SshReader r) {
        String identifier = r.readAscii();
        if (!curve.identifier.equals(identifier)) {
            throw new KeyFormatException(curve.keyType + " key names curve \"" + PublicKeys.printable(identifier)
                    + "\"");
        }
        return new EcdsaPublicKey(curve, curve.decodePoint(r.readBytes()));
    }

    Curve curve() {
        return curve;
    }

    /** The uncompressed point Q. */
    byte[] encodedPoint() {
        return q.getEncoded(false);
    }

    ECPoint point() {
        return q;
    }

    @Override
    public String keyType() {
        return curve.keyType;
    }

    @Override
    public int bits() {
        return curve.bits;
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    @Override
    public List<String> signatureAlgorithms() {
        return List.of(curve.keyType);
    }

    @Override
    public boolean verify(byte[] data, byte[] signatureBlob) {
        BigInteger r;
        BigInteger s;
        try {
            SshReader outer = SshReader.of(signatureBlob);
            if (!curve.keyType.equals(outer.readAscii())) {
                return false;
            }
            SshReader inner = SshReader.of(outer.readBytes());
            r = inner.readMpint();
            s = inner.readMpint();
            // OpenSSH's ssh_ecdsa_verify refuses trailing data in either layer.
            if (outer.remaining() != 0 || inner.remaining() != 0) {
                return false;
            }
        } catch (SshException malformed) {
            return false;
        }
        if (r.signum() <= 0 || s.signum() <= 0) {
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(q, curve.domain));
        return verifier.verifySignature(hash(curve, data), r, s);
    }

    static byte[] hash(Curve curve, byte[] data) {
        Digest d = curve.digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EcdsaPublicKey && Arrays.equals(blob, ((EcdsaPublicKey) o).blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return "ECDSA " + fingerprint();
    }
}
