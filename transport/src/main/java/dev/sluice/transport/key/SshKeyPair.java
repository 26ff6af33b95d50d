package dev.sluice.transport.key;

import java.security.SecureRandom;
import javax.security.auth.Destroyable;

/**
 * A private key with its public half and comment: a user identity or a server host key that can sign.
 *
 * <p>Instances are thread-safe for signing. The secret lives in a heap array that {@link #destroy()} zeroes;
 * after that, signing fails with {@link IllegalStateException}. Read and write them with {@link OpenSshKeyFile}.
 */
public interface SshKeyPair extends Destroyable {

    /** The public half. */
    SshPublicKey publicKey();

    /** The comment stored with the key (usually user@host), never null; may be empty. */
    String comment();

    /**
     * Signs {@code data} with the key's default signature algorithm (the first of
     * {@code publicKey().signatureAlgorithms()}) and returns the signature blob, {@code string algorithm,
     * string signature}, ready to go on the wire.
     */
    default byte[] sign(byte[] data) {
        return sign(publicKey().signatureAlgorithms().get(0), data);
    }

    /**
     * Signs with a named signature algorithm, e.g. rsa-sha2-256 for an RSA key.
     *
     * @throws IllegalArgumentException if the key cannot sign with that algorithm
     */
    byte[] sign(String signatureAlgorithm, byte[] data);

    /** Zeroes the private key; later signing fails. */
    @Override
    void destroy();

    @Override
    boolean isDestroyed();

    /** A new Ed25519 key from {@link SecureRandom}, as {@code ssh-keygen -t ed25519 -C comment} makes. */
    static SshKeyPair generateEd25519(String comment) {
        return Ed25519KeyPair.generate(new SecureRandom(), comment);
    }

    /**
     * A new ECDSA key on NIST P-256, P-384 or P-521, as {@code ssh-keygen -t ecdsa -b bits} makes.
     *
     * @throws IllegalArgumentException for any other size (ssh-keygen's "Invalid ECDSA key length")
     */
    static SshKeyPair generateEcdsa(int bits, String comment) {
        EcdsaPublicKey.Curve curve = EcdsaPublicKey.Curve.byBits(bits);
        if (curve == null) {
            throw new IllegalArgumentException("Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits");
        }
        return EcdsaKeyPair.generate(curve, new SecureRandom(), comment);
    }

    /**
     * A new RSA key with exponent 65537, as {@code ssh-keygen -t rsa -b bits} makes (1024 to 16384 bits).
     *
     * @throws IllegalArgumentException for a size out of range
     */
    static SshKeyPair generateRsa(int bits, String comment) {
        return RsaKeyPair.generate(bits, new SecureRandom(), comment);
    }
}
