package dev.sluice.transport.cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

/**
 * The key and running counter of one direction of AES-CTR ({@link AesCtr}): a JDK cipher initialised once, whose
 * counter carries on from packet to packet as RFC 4344 section 4 requires. Encryption and decryption are the same
 * keystream XOR.
 *
 * <p>Not thread-safe (one connection's event loop).
 */
final class AesCtrKeys {
    private final RawKey key;
    private final int keyLength;
    private final Cipher cipher;
    private boolean destroyed;

    AesCtrKeys(byte[] key, int keyLength, byte[] iv) {
        if (key.length < keyLength || iv.length < AesCtr.BLOCK_SIZE) {
            throw new IllegalArgumentException("AES-CTR needs a " + keyLength + "-byte key and a 16-byte IV, got "
                    + key.length + " and " + iv.length);
        }
        this.key = new RawKey("AES", key, 0, keyLength);
        this.keyLength = keyLength;
        byte[] counter = Arrays.copyOf(iv, AesCtr.BLOCK_SIZE);
        try {
            this.cipher = Cipher.getInstance(AesCtr.TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, this.key, new IvParameterSpec(counter));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + AesCtr.TRANSFORMATION, e);
        } finally {
            Arrays.fill(counter, (byte) 0);
        }
    }

    /** XORs the next {@code len} keystream bytes into {@code a[off, off+len)} in place. */
    void crypt(byte[] a, int off, int len) {
        if (destroyed) {
            throw new IllegalStateException("AES-CTR keys destroyed");
        }
        try {
            cipher.update(a, off, len, a, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed", e);
        }
    }

    /** Zeroes the key and replaces the JDK cipher's key schedule and counter with those of a zero key. */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        key.destroy();
        byte[] zero = new byte[keyLength];
        try {
            cipher.init(Cipher.ENCRYPT_MODE, new RawKey("AES", zero, 0, zero.length),
                    new IvParameterSpec(new byte[AesCtr.BLOCK_SIZE]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR wipe failed", e);
        }
    }

    RawKey keyForTest() {
        return key;
    }
}
