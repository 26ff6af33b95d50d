package dev.sluice.transport.key;

import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * An ECDSA private key on a NIST curve (RFC 5656) with its public key. Signatures use RFC 6979 deterministic nonces, so
 * a weak random source cannot leak the key. The scalar is a {@link BigInteger}, which cannot be zeroed:
 * {@link #destroy()} drops the reference and refuses further signing.
 */
final class EcdsaKeyPair implements SshKeyPair {
    private final EcdsaPublicKey publicKey;
    private final String comment;
    private volatile BigInteger d;

    EcdsaKeyPair(EcdsaPublicKey.Curve curve, BigInteger d, String comment) {
        if (d.signum() <= 0 || d.compareTo(curve.domain.getN()) >= 0) {
            throw new KeyFormatException(curve.keyType + " private key out of range");
        }
        this.d = d;
        this.publicKey = new EcdsaPublicKey(curve, curve.domain.getG().multiply(d));
        this.comment = comment == null ? "" : comment;
    }

    static EcdsaKeyPair generate(EcdsaPublicKey.Curve curve, SecureRandom random, String comment) {
        BigInteger n = curve.domain.getN();
        return new EcdsaKeyPair(curve, BigIntegers.createRandomInRange(BigInteger.ONE, n.subtract(BigInteger.ONE),
                random), comment);
    }

    /** PROTOCOL.key / PROTOCOL.agent: {@code string type, string curve, string Q, mpint d}. */
    void writePrivate(SshWriter w) {
        BigInteger secret = live();
        w.writeAscii(publicKey.keyType()).writeAscii(publicKey.curve().identifier)
                .writeBytes(publicKey.encodedPoint()).writeMpint(secret);
    }

    @Override
    public SshPublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String comment() {
        return comment;
    }

    @Override
    public byte[] sign(String signatureAlgorithm, byte[] data) {
        if (!publicKey.keyType().equals(Objects.requireNonNull(signatureAlgorithm))) {
            throw new IllegalArgumentException("an " + publicKey.keyType() + " key cannot sign with "
                    + signatureAlgorithm);
        }
        EcdsaPublicKey.Curve curve = publicKey.curve();
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(curve.digest()));
        signer.init(true, new ECPrivateKeyParameters(live(), curve.domain));
        BigInteger[] rs = signer.generateSignature(EcdsaPublicKey.hash(curve, data));
        byte[] inner = SshWriter.heap().writeMpint(rs[0]).writeMpint(rs[1]).toByteArray();
        return SshWriter.heap().writeAscii(curve.keyType).writeBytes(inner).toByteArray();
    }

    private BigInteger live() {
        BigInteger secret = d;
        if (secret == null) {
            throw new IllegalStateException("key has been destroyed");
        }
        return secret;
    }

    @Override
    public void destroy() {
        d = null;
    }

    @Override
    public boolean isDestroyed() {
        return d == null;
    }

    @Override
    public String toString() {
        return "EcdsaKeyPair[" + publicKey.fingerprint() + " " + comment + "]";
    }
}
