package dev.sluice.transport.key;

import java.util.Base64;
import java.util.List;

/**
 * An SSH public key: a host key or a user key, as it travels in KEX and userauth (the RFC 4253 section 6.6
 * blob) and as it appears in .pub, authorized_keys and known_hosts files.
 *
 * <p>Implementations are immutable and thread-safe, and two keys are {@code equals} exactly when their blobs are
 * equal. Obtain one from {@link PublicKeys} or from a {@link SshKeyPair}.
 *
 * <h3>Verification never throws on peer data</h3>
 * {@link #verify(byte[], byte[])} returns {@code false} for a malformed, truncated, wrongly named or wrongly
 * sized signature blob: a bad signature is an authentication failure, not a protocol crash.
 */
public interface SshPublicKey {

    /** The key type name, e.g. {@code "ssh-ed25519"}; the first string of {@link #blob()}. */
    String keyType();

    /** The key's size in bits as {@code ssh-keygen -l} prints it: 256 for Ed25519, the curve or modulus size. */
    int bits();

    /** The public key blob (RFC 4253 section 6.6), as sent on the wire; a fresh copy. */
    byte[] blob();

    /**
     * The signature algorithm names this key can verify, preferred first, e.g. {@code ["ssh-ed25519"]}
     * (an RSA key will list rsa-sha2-512 and rsa-sha2-256, RFC 8332).
     */
    List<String> signatureAlgorithms();

    /**
     * Whether this key can sign and verify with {@code signatureAlgorithm}: the names of
     * {@link #signatureAlgorithms()}, plus, for RSA, the SHA-1 {@code ssh-rsa} that is only used when named.
     */
    default boolean supportsSignatureAlgorithm(String signatureAlgorithm) {
        return signatureAlgorithms().contains(signatureAlgorithm);
    }

    /**
     * Verifies a signature blob ({@code string algorithm, string signature}, e.g. RFC 8709 section 6) over
     * {@code data}, accepting any algorithm in {@link #signatureAlgorithms()}.
     *
     * @return false for a wrong signature and for any malformed blob; never throws on its content
     */
    boolean verify(byte[] data, byte[] signatureBlob);

    /**
     * As {@link #verify(byte[], byte[])}, but the blob must name exactly {@code signatureAlgorithm}: userauth
     * publickey (RFC 4252 section 7) and KEX (RFC 4253 section 8) both fix the algorithm before the signature
     * arrives, and a signature made with another algorithm must not pass.
     */
    default boolean verify(String signatureAlgorithm, byte[] data, byte[] signatureBlob) {
        return supportsSignatureAlgorithm(signatureAlgorithm)
                && signatureAlgorithm.equals(PublicKeys.signatureAlgorithmOf(signatureBlob))
                && verify(data, signatureBlob);
    }

    /**
     * The SHA-256 fingerprint exactly as {@code ssh-keygen -l} prints it: {@code "SHA256:"} followed by the
     * unpadded base64 of SHA-256(blob).
     */
    default String fingerprint() {
        return PublicKeys.fingerprint(blob());
    }

    /**
     * The key as one line of a .pub or authorized_keys file: {@code "ssh-ed25519 AAAA… comment"}, without a line
     * terminator; no trailing space when {@code comment} is null or empty.
     */
    default String toOpenSshLine(String comment) {
        String line = keyType() + " " + Base64.getEncoder().encodeToString(blob());
        return comment == null || comment.isEmpty() ? line : line + " " + comment;
    }
}
