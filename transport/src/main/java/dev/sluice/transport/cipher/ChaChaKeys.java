package dev.sluice.transport.cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;

/**
 * The two ChaCha20 keystreams of one direction of {@link ChaCha20Poly1305}, shared by its sealer and opener.
 *
 * <p>The SSH construction uses the original ChaCha20 (64-bit nonce, 64-bit block counter); the JDK implements the
 * IETF variant (96-bit nonce, 32-bit counter). With the nonce {@code 0x00000000 || uint64(seq)} and counter
 * {@code c} both produce the same block, because the IETF nonce's first word sits where the original counter's
 * high word does, and that word stays 0 for packets below 2^32 blocks (256 GiB).
 *
 * <p>The JDK (17 in either mode; later ones in {@code ENCRYPT_MODE}) refuses to initialize a ChaCha20 cipher with
 * the key and nonce of its previous initialization. The header keystream is therefore generated once per sequence
 * number and kept, since the opener needs it twice ({@code packetLength}, perhaps repeatedly while the packet
 * arrives, then {@code open}); and should the main keystream be needed twice for one sequence number, the cipher is
 * first initialized with a nonce no packet uses. Both run in {@code DECRYPT_MODE}, for bare ChaCha20 the same XOR as
 * encryption.
 */
final class ChaChaKeys {
    private static final int KEY_HALF = 32;
    private static final byte[] ZERO_BLOCK = new byte[64];

    private final RawKey mainKey;
    private final RawKey headerKey;
    private final Cipher main;
    private final Cipher header;
    private final byte[] nonce = new byte[12];
    /** K_1's first 4 keystream bytes for {@link #headerSeq}, valid when {@link #headerValid}. */
    private final byte[] headerStream = new byte[ChaCha20Poly1305.LENGTH_FIELD];
    private int headerSeq;
    private boolean headerValid;
    private int mainSeq;
    private boolean mainUsed;
    private boolean destroyed;

    ChaChaKeys(byte[] key) {
        if (key.length < ChaCha20Poly1305.KEY_LENGTH) {
            throw new IllegalArgumentException("chacha20-poly1305 needs a 64-byte key, got " + key.length);
        }
        this.mainKey = new RawKey("ChaCha20", key, 0, KEY_HALF);
        this.headerKey = new RawKey("ChaCha20", key, KEY_HALF, KEY_HALF);
        try {
            this.main = Cipher.getInstance("ChaCha20");
            this.header = Cipher.getInstance("ChaCha20");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks ChaCha20", e);
        }
    }

    /** XORs the 4 length bytes at {@code in[inOff]} with K_1's keystream for {@code seq} into {@code out[outOff]}. */
    void cryptLength(int seq, byte[] in, int inOff, byte[] out, int outOff) {
        if (!headerValid || headerSeq != seq) {
            init(header, headerKey, seq);
            try {
                header.update(ZERO_BLOCK, 0, ChaCha20Poly1305.LENGTH_FIELD, headerStream, 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("ChaCha20 failed", e);
            }
            headerSeq = seq;
            headerValid = true;
        }
        for (int i = 0; i < ChaCha20Poly1305.LENGTH_FIELD; i++) {
            out[outOff + i] = (byte) (in[inOff + i] ^ headerStream[i]);
        }
    }

    /**
     * Starts K_2's keystream for {@code seq}: writes block 0 into {@code polyKey} (64 bytes; the first 32 are the
     * Poly1305 key) and leaves the stream at block 1 for {@link #cryptBody}.
     */
    void startPacket(int seq, byte[] polyKey) {
        if (mainUsed && mainSeq == seq) {
            // Only after a failed open or a caller's retry; see the class comment.
            nonce[0] = 1;
            init(main, mainKey, seq);
            nonce[0] = 0;
        }
        init(main, mainKey, seq);
        mainSeq = seq;
        mainUsed = true;
        try {
            main.update(ZERO_BLOCK, 0, ZERO_BLOCK.length, polyKey, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 failed", e);
        }
    }

    /** XORs {@code len} bytes at {@code buf[off]} in place with the next bytes of K_2's keystream. */
    void cryptBody(byte[] buf, int off, int len) {
        try {
            main.update(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 failed", e);
        }
    }

    private void init(Cipher c, RawKey key, int seq) {
        if (destroyed) {
            throw new IllegalStateException("chacha20-poly1305 keys destroyed");
        }
        nonce[8] = (byte) (seq >>> 24);
        nonce[9] = (byte) (seq >>> 16);
        nonce[10] = (byte) (seq >>> 8);
        nonce[11] = (byte) seq;
        try {
            // The spec copies the nonce; the JDK API forces this allocation.
            c.init(Cipher.DECRYPT_MODE, key, new ChaCha20ParameterSpec(nonce, 0));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 init failed", e);
        }
    }

    /** Zeroes both keys and overwrites the JDK ciphers' copies with a zero key. */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        mainKey.destroy();
        headerKey.destroy();
        Arrays.fill(nonce, (byte) 0);
        Arrays.fill(headerStream, (byte) 0);
        headerValid = false;
        RawKey zero = new RawKey("ChaCha20", new byte[KEY_HALF], 0, KEY_HALF);
        nonce[0] = 1; // a nonce no packet uses, so this never repeats the previous initialization
        try {
            main.init(Cipher.DECRYPT_MODE, zero, new ChaCha20ParameterSpec(nonce, 0));
            header.init(Cipher.DECRYPT_MODE, zero, new ChaCha20ParameterSpec(nonce, 0));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 wipe failed", e);
        } finally {
            nonce[0] = 0;
        }
    }

    RawKey mainKeyForTest() {
        return mainKey;
    }

    RawKey headerKeyForTest() {
        return headerKey;
    }
}
