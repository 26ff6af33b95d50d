package dev.sluice.transport.cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The key, nonce and JDK cipher of one direction of AES-GCM, shared by {@link AesGcmSealer} and
 * {@link AesGcmOpener}.
 *
 * <p>The nonce is RFC 5647 section 7.1's: a 4-byte fixed field then an 8-byte big-endian invocation counter,
 * incremented (modulo 2^64) after each packet. The counter is internal state; the packet sequence number plays no
 * part in GCM.
 */
final class GcmKeys {
    /**
     * Whether a buffer without a backing array (a direct one) is copied into an array, processed there and copied
     * back, rather than processed in place through an NIO view. Measured with the benchmarks module's
     * CipherBenchmark (aes128-gcm, 32 KiB, direct buffers, 2-core Zen 4): on JDK 17 the view is faster (seal
     * about 3.5 GB/s against 2.5 GB/s copying); on JDK 25, whose array path got about twice as fast while its
     * direct-buffer path did not, copying wins (seal about 7.4 GB/s against 3.4 GB/s).
     */
    static final boolean COPY_DIRECT = Runtime.version().feature() >= 25;

    private final RawKey key;
    private final int keyLength;
    private final byte[] nonce;
    final Cipher cipher;
    private boolean destroyed;

    GcmKeys(byte[] key, int keyLength, byte[] iv) {
        if (key.length < keyLength || iv.length < AesGcm.IV_LENGTH) {
            throw new IllegalArgumentException("AES-GCM needs a " + keyLength + "-byte key and a 12-byte IV, got "
                    + key.length + " and " + iv.length);
        }
        this.key = new RawKey("AES", key, 0, keyLength);
        this.keyLength = keyLength;
        this.nonce = Arrays.copyOf(iv, AesGcm.IV_LENGTH);
        try {
            this.cipher = Cipher.getInstance(AesGcm.TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + AesGcm.TRANSFORMATION, e);
        }
    }

    /** Initializes {@link #cipher} for the next packet in {@code mode}, with the current nonce. */
    void init(int mode) {
        if (destroyed) {
            throw new IllegalStateException("AES-GCM keys destroyed");
        }
        try {
            // The spec copies the nonce, so advancing ours afterwards is safe; the JDK API forces this allocation.
            cipher.init(mode, key, new GCMParameterSpec(AesGcm.TAG_LENGTH * 8, nonce));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM init failed", e);
        }
    }

    /** Increments the invocation counter (the last 8 nonce bytes, big-endian, wrapping). */
    void advance() {
        for (int i = AesGcm.IV_LENGTH - 1; i >= 4; i--) {
            if (++nonce[i] != 0) {
                break;
            }
        }
    }

    /** Zeroes the key and nonce and overwrites the JDK cipher's cached key schedule with a zero key. */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        key.destroy();
        Arrays.fill(nonce, (byte) 0);
        byte[] zero = new byte[keyLength];
        try {
            // DECRYPT_MODE: the JDK refuses an ENCRYPT_MODE init that repeats the previous key and nonce.
            cipher.init(Cipher.DECRYPT_MODE, new RawKey("AES", zero, 0, zero.length),
                    new GCMParameterSpec(AesGcm.TAG_LENGTH * 8, new byte[AesGcm.IV_LENGTH]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM wipe failed", e);
        }
    }

    RawKey keyForTest() {
        return key;
    }

    byte[] nonceForTest() {
        return nonce;
    }
}
