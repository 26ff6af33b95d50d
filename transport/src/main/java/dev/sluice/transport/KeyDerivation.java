package dev.sluice.transport;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Key derivation of RFC 4253 section 7.2: {@code HASH(K || H || X || session_id)}, extended with
 * {@code HASH(K || H || K1 || …)} until long enough. K arrives already encoded as an mpint.
 */
final class KeyDerivation {
    private final String hashAlgorithm;
    private final byte[] encodedSecret;
    private final byte[] exchangeHash;
    private final byte[] sessionId;

    KeyDerivation(String hashAlgorithm, byte[] encodedSecret, byte[] exchangeHash, byte[] sessionId) {
        this.hashAlgorithm = hashAlgorithm;
        this.encodedSecret = encodedSecret;
        this.exchangeHash = exchangeHash;
        this.sessionId = sessionId;
    }

    /** Derives {@code length} bytes for letter {@code x} ('A' to 'F'). The caller zeroes the result after use. */
    byte[] derive(char x, int length) {
        MessageDigest md = digest();
        md.update(encodedSecret);
        md.update(exchangeHash);
        md.update((byte) x);
        md.update(sessionId);
        byte[] out = md.digest();
        while (out.length < length) {
            md.update(encodedSecret);
            md.update(exchangeHash);
            md.update(out);
            byte[] more = md.digest();
            byte[] grown = Arrays.copyOf(out, out.length + more.length);
            System.arraycopy(more, 0, grown, out.length, more.length);
            Arrays.fill(out, (byte) 0);
            Arrays.fill(more, (byte) 0);
            out = grown;
        }
        byte[] key = Arrays.copyOf(out, length);
        Arrays.fill(out, (byte) 0);
        return key;
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(hashAlgorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(hashAlgorithm, e);
        }
    }
}
