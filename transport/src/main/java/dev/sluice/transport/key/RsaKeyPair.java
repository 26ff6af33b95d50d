package dev.sluice.transport.key;

import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Objects;

/**
 * An RSA private key with its public key, signing {@code rsa-sha2-512}, {@code rsa-sha2-256} (RFC 8332) and, when
 * named, {@code ssh-rsa}. The JDK holds the key (CRT form); its numbers are {@link BigInteger}s, which cannot be
 * zeroed, so {@link #destroy()} drops the reference and refuses further signing.
 */
final class RsaKeyPair implements SshKeyPair {
    /** ssh-keygen's default RSA size since OpenSSH 9.5. */
    static final int DEFAULT_BITS = 3072;

    private final RsaPublicKey publicKey;
    private final String comment;
    private volatile RSAPrivateCrtKey key;

    private RsaKeyPair(RSAPrivateCrtKey key, String comment) {
        this.key = key;
        this.publicKey = new RsaPublicKey(key.getPublicExponent(), key.getModulus());
        this.comment = comment == null ? "" : comment;
    }

    static RsaKeyPair generate(int bits, SecureRandom random, String comment) {
        if (bits < RsaPublicKey.MIN_BITS || bits > RsaPublicKey.MAX_BITS) {
            throw new IllegalArgumentException("Invalid RSA key length: minimum is " + RsaPublicKey.MIN_BITS
                    + ", maximum is " + RsaPublicKey.MAX_BITS);
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
            return new RsaKeyPair((RSAPrivateCrtKey) g.generateKeyPair().getPrivate(), comment);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has RSA", e);
        }
    }

    /** The key from OpenSSH's fields (PROTOCOL.key: n, e, d, iqmp, p, q); the CRT exponents are computed. */
    static RsaKeyPair fromComponents(BigInteger n, BigInteger e, BigInteger d, BigInteger iqmp, BigInteger p,
            BigInteger q, String comment) {
        if (p.signum() <= 0 || q.signum() <= 0 || !p.multiply(q).equals(n) || d.signum() <= 0) {
            throw new KeyFormatException("inconsistent RSA private key");
        }
        try {
            RSAPrivateCrtKeySpec spec = new RSAPrivateCrtKeySpec(n, e, d, p, q,
                    d.mod(p.subtract(BigInteger.ONE)), d.mod(q.subtract(BigInteger.ONE)), iqmp);
            return new RsaKeyPair((RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(spec), comment);
        } catch (GeneralSecurityException ex) {
            throw new KeyFormatException("invalid RSA private key", ex);
        }
    }

    /** PROTOCOL.key / PROTOCOL.agent: {@code string "ssh-rsa", mpint n, mpint e, mpint d, mpint iqmp, mpint p, mpint q}. */
    void writePrivate(SshWriter w) {
        RSAPrivateCrtKey k = live();
        w.writeAscii(RsaPublicKey.TYPE).writeMpint(k.getModulus()).writeMpint(k.getPublicExponent())
                .writeMpint(k.getPrivateExponent()).writeMpint(k.getCrtCoefficient())
                .writeMpint(k.getPrimeP()).writeMpint(k.getPrimeQ());
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
        String jca = RsaPublicKey.jcaAlgorithm(Objects.requireNonNull(signatureAlgorithm));
        if (jca == null) {
            throw new IllegalArgumentException("an ssh-rsa key cannot sign with " + signatureAlgorithm);
        }
        try {
            Signature signer = Signature.getInstance(jca);
            signer.initSign(live());
            signer.update(data);
            return SshWriter.heap().writeAscii(signatureAlgorithm).writeBytes(signer.sign()).toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jca, e);
        }
    }

    private RSAPrivateCrtKey live() {
        RSAPrivateCrtKey k = key;
        if (k == null) {
            throw new IllegalStateException("key has been destroyed");
        }
        return k;
    }

    @Override
    public void destroy() {
        key = null;
    }

    @Override
    public boolean isDestroyed() {
        return key == null;
    }

    @Override
    public String toString() {
        return "RsaKeyPair[" + publicKey.fingerprint() + " " + comment + "]";
    }
}
