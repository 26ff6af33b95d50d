package dev.sluice.transport.kex;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;

import dev.sluice.transport.SshException;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDH over a NIST curve, RFC 5656 section 4: public values are uncompressed SEC1 points (section 3.1), K is the x
 * coordinate of the shared point as an mpint (section 4). A peer point must lie on the curve and not be the point at
 * infinity (RFC 5656 section 4, SEC1 3.2.2.1; Bouncy Castle's decodePoint checks the curve equation).
 */
final class EcdhAgreement implements Agreement {
    private final X9ECParameters curve;
    private final String curveName;
    private final SecureRandom random;
    private BigInteger d;

    EcdhAgreement(String curveName, SecureRandom random) {
        this.curveName = curveName;
        this.curve = CustomNamedCurves.getByName(curveName);
        this.random = random;
    }

    @Override
    public byte[] clientValue() {
        d = BigIntegers.createRandomInRange(BigInteger.ONE, curve.getN().subtract(BigInteger.ONE), random);
        return curve.getG().multiply(d).getEncoded(false);
    }

    @Override
    public byte[] clientSecret(byte[] serverValue) {
        try {
            return shared(serverValue, d);
        } finally {
            d = null;
        }
    }

    @Override
    public Response serverRespond(byte[] clientValue) {
        BigInteger e = BigIntegers.createRandomInRange(BigInteger.ONE, curve.getN().subtract(BigInteger.ONE), random);
        byte[] serverValue = curve.getG().multiply(e).getEncoded(false);
        return new Response(serverValue, shared(clientValue, e));
    }

    private byte[] shared(byte[] peerValue, BigInteger privateKey) {
        ECPoint peer = decode(peerValue);
        ECPoint s = peer.multiply(privateKey).normalize();
        if (s.isInfinity()) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "%s: shared point is at infinity", curveName);
        }
        return DhAgreement.encode(s.getAffineXCoord().toBigInteger());
    }

    private ECPoint decode(byte[] value) {
        int fieldBytes = (curve.getCurve().getFieldSize() + 7) / 8;
        if (value.length != 1 + 2 * fieldBytes || value[0] != 4) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "%s: peer key is not an uncompressed point", curveName);
        }
        try {
            ECPoint p = curve.getCurve().decodePoint(value);
            if (p.isInfinity() || !p.isValid()) {
                throw new IllegalArgumentException("invalid point");
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "%s: peer key is not on the curve", curveName);
        }
    }
}
