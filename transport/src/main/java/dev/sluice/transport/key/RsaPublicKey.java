package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.List;

/**
 * An RSA public key, RFC 4253 section 6.6: the blob is {@code string "ssh-rsa", mpint e, mpint n}. It verifies
 * {@code rsa-sha2-512} and {@code rsa-sha2-256} signatures (RFC 8332) and, only when that algorithm is named
 * explicitly, the SHA-1 {@code ssh-rsa} ones: {@link #signatureAlgorithms()} leaves SHA-1 out, so nothing accepts it
 * by default. The JDK's RSA does the arithmetic.
 */
final class RsaPublicKey implements SshPublicKey {
    static final String TYPE = "ssh-rsa";
    static final String SHA512 = "rsa-sha2-512";
    static final String SHA256 = "rsa-sha2-256";
    /** OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE: smaller keys are refused everywhere. */
    static final int MIN_BITS = 1024;
    /** OpenSSH's SSHBUF_MAX_BIGNUM (16384 bits): larger moduli are refused. */
    static final int MAX_BITS = 16384;
    private static final List<String> ALGORITHMS = List.of(SHA512, SHA256);

    private final BigInteger e;
    private final BigInteger n;
    private final PublicKey jdkKey;
    private final byte[] blob;

    RsaPublicKey(BigInteger e, BigInteger n) {
        if (n.bitLength() < MIN_BITS || n.bitLength() > MAX_BITS) {
            throw new KeyFormatException("RSA key of " + n.bitLength() + " bits, outside " + MIN_BITS + " to "
                    + MAX_BITS);
        }
        if (e.signum() <= 0 || !e.testBit(0) || e.compareTo(BigInteger.ONE) <= 0 || n.signum() <= 0) {
            throw new KeyFormatException("invalid RSA public key");
        }
        this.e = e;
        this.n = n;
        try {
            this.jdkKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            throw new KeyFormatException("invalid RSA public key", ex);
        }
        this.blob = SshWriter.heap().writeAscii(TYPE).writeMpint(e).writeMpint(n).toByteArray();
    }

    static RsaPublicKey decodeAfterType(SshReader r) {
        BigInteger e = r.readMpint();
        BigInteger n = r.readMpint();
        return new RsaPublicKey(e, n);
    }

    BigInteger modulus() {
        return n;
    }

    BigInteger exponent() {
        return e;
    }

    /** The JCA signature algorithm for an SSH one, or null for a name RSA keys do not sign with. */
    static String jcaAlgorithm(String signatureAlgorithm) {
        switch (signatureAlgorithm) {
            case SHA512:
                return "SHA512withRSA";
            case SHA256:
                return "SHA256withRSA";
            case TYPE:
                return "SHA1withRSA";
            default:
                return null;
        }
    }

    @Override
    public String keyType() {
        return TYPE;
    }

    @Override
    public int bits() {
        return n.bitLength();
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    @Override
    public List<String> signatureAlgorithms() {
        return ALGORITHMS;
    }

    /** True for rsa-sha2-512, rsa-sha2-256 and, asked for by name, the SHA-1 ssh-rsa. */
    @Override
    public boolean supportsSignatureAlgorithm(String signatureAlgorithm) {
        return jcaAlgorithm(signatureAlgorithm) != null;
    }

    @Override
    public boolean verify(byte[] data, byte[] signatureBlob) {
        String algorithm = PublicKeys.signatureAlgorithmOf(signatureBlob);
        return algorithm != null && ALGORITHMS.contains(algorithm) && verifyNamed(algorithm, data, signatureBlob);
    }

    @Override
    public boolean verify(String signatureAlgorithm, byte[] data, byte[] signatureBlob) {
        return supportsSignatureAlgorithm(signatureAlgorithm)
                && signatureAlgorithm.equals(PublicKeys.signatureAlgorithmOf(signatureBlob))
                && verifyNamed(signatureAlgorithm, data, signatureBlob);
    }

    private boolean verifyNamed(String algorithm, byte[] data, byte[] signatureBlob) {
        byte[] sig;
        try {
            SshReader r = SshReader.of(signatureBlob);
            r.readAscii();
            sig = r.readBytes();
            if (r.remaining() != 0) {
                return false;
            }
        } catch (SshException malformed) {
            return false;
        }
        int modulusBytes = (n.bitLength() + 7) / 8;
        if (sig.length > modulusBytes || sig.length == 0) {
            return false;
        }
        if (sig.length < modulusBytes) {
            // OpenSSH (ssh_rsa_verify) accepts a signature with its leading zeros stripped, as some peers send it.
            byte[] padded = new byte[modulusBytes];
            System.arraycopy(sig, 0, padded, modulusBytes - sig.length, sig.length);
            sig = padded;
        }
        try {
            Signature verifier = Signature.getInstance(jcaAlgorithm(algorithm));
            verifier.initVerify(jdkKey);
            verifier.update(data);
            return verifier.verify(sig);
        } catch (GeneralSecurityException ex) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RsaPublicKey && Arrays.equals(blob, ((RsaPublicKey) o).blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return "RSA " + fingerprint();
    }
}
