package dev.sluice.transport.cipher;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * The keyed HMAC of one direction: {@code mac = MAC(key, sequence_number || bytes)} of RFC 4253 section 6.4, over
 * whatever bytes the packet layout says (the plaintext packet, or for encrypt-then-MAC the length and ciphertext).
 *
 * <p>Not thread-safe (one connection's event loop).
 */
final class HmacKeys {
    private final Hmac algorithm;
    private final RawKey key;
    private final Mac mac;
    private final byte[] seqBytes = new byte[4];
    private final byte[] expected;
    private boolean destroyed;

    /**
     * Keys {@code algorithm} with a copy of the first {@code keyLength} bytes of {@code key}: SSH always uses the
     * algorithm's {@link Hmac#keyLength()}; other lengths are for the RFC 4231 test vectors.
     */
    HmacKeys(Hmac algorithm, byte[] key, int keyLength) {
        if (key.length < keyLength || keyLength <= 0) {
            throw new IllegalArgumentException(algorithm + " needs a " + keyLength + "-byte key, got " + key.length);
        }
        this.algorithm = algorithm;
        this.key = new RawKey(algorithm.jdkName(), key, 0, keyLength);
        this.expected = new byte[algorithm.macLength()];
        try {
            this.mac = Mac.getInstance(algorithm.jdkName());
            mac.init(this.key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm.jdkName(), e);
        }
    }

    int length() {
        return expected.length;
    }

    /** Writes the MAC of {@code seq || a[off, off+len)} to {@code out[outOff…]}. */
    void compute(int seq, byte[] a, int off, int len, byte[] out, int outOff) {
        if (destroyed) {
            throw new IllegalStateException(algorithm + " key destroyed");
        }
        seqBytes[0] = (byte) (seq >>> 24);
        seqBytes[1] = (byte) (seq >>> 16);
        seqBytes[2] = (byte) (seq >>> 8);
        seqBytes[3] = (byte) seq;
        mac.update(seqBytes);
        mac.update(a, off, len);
        try {
            mac.doFinal(out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " failed", e);
        }
    }

    /**
     * Whether {@code a[tagOff…]} holds the MAC of {@code seq || a[off, off+len)}, compared in constant time so the
     * time taken says nothing about where a forged tag goes wrong.
     */
    boolean verify(int seq, byte[] a, int off, int len, int tagOff) {
        compute(seq, a, off, len, expected, 0);
        byte[] tag = Arrays.copyOfRange(a, tagOff, tagOff + expected.length);
        return MessageDigest.isEqual(expected, tag);
    }

    /** Zeroes the key and re-keys the JDK MAC with zeros, so no key-dependent state of it stays on the heap. */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        key.destroy();
        Arrays.fill(expected, (byte) 0);
        byte[] zero = new byte[algorithm.keyLength()];
        try {
            mac.init(new RawKey(algorithm.jdkName(), zero, 0, zero.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " wipe failed", e);
        }
    }

    RawKey keyForTest() {
        return key;
    }
}
