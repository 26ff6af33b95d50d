package dev.sluice.transport.kex;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Diffie-Hellman over a prime group (RFC 4253 section 8): e = g^x mod p, f = g^y mod p, K = f^x = e^y mod p as an
 * mpint. The exponent has twice the bits of the strength wanted, at least 512, as OpenSSH's dh_gen_key chooses it.
 * BigInteger exponents cannot be zeroed; they are dropped as soon as K is known.
 */
final class DhAgreement implements Agreement {
    /** OpenSSH's exponent size for every group it offers by default (2 × 256-bit strength). */
    static final int EXPONENT_BITS = 512;

    private final BigInteger p;
    private final BigInteger g;
    private final SecureRandom random;
    private BigInteger x;

    DhAgreement(BigInteger p, BigInteger g, SecureRandom random) {
        this.p = p;
        this.g = g;
        this.random = random;
    }

    @Override
    public byte[] clientValue() {
        x = exponent();
        return g.modPow(x, p).toByteArray();
    }

    @Override
    public byte[] clientSecret(byte[] serverValue) {
        BigInteger f = checkPublic(parseMpint(serverValue), p);
        try {
            return encode(f.modPow(x, p));
        } finally {
            x = null;
        }
    }

    @Override
    public Response serverRespond(byte[] clientValue) {
        BigInteger e = checkPublic(parseMpint(clientValue), p);
        BigInteger y = exponent();
        return new Response(g.modPow(y, p).toByteArray(), encode(e.modPow(y, p)));
    }

    private BigInteger exponent() {
        int bits = Math.min(EXPONENT_BITS, p.bitLength() - 1);
        BigInteger v;
        do {
            v = new BigInteger(bits, random);
        } while (v.bitLength() < 2);
        return v;
    }

    /** An mpint's octets (RFC 4251 section 5) as a positive number; zero, negative or padded forms are refused. */
    static BigInteger parseMpint(byte[] octets) {
        if (octets.length == 0 || octets[0] < 0 || (octets.length > 1 && octets[0] == 0 && octets[1] >= 0)) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "invalid public DH value: bad mpint encoding");
        }
        return new BigInteger(1, octets);
    }

    /** RFC 4253 section 8: values outside [1, p-1] are refused; so are 1 and p-1, which give away K (OpenSSH). */
    static BigInteger checkPublic(BigInteger y, BigInteger p) {
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(p.subtract(BigInteger.ONE)) >= 0) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "invalid public DH value (%d/%d bits)",
                    y.bitLength(), p.bitLength());
        }
        return y;
    }

    /** K as an mpint; the temporary buffer is zeroed. */
    static byte[] encode(BigInteger k) {
        SshWriter w = SshWriter.heap();
        try {
            return w.writeMpint(k).toByteArray();
        } finally {
            w.buffer().setZero(0, w.buffer().capacity());
        }
    }
}
