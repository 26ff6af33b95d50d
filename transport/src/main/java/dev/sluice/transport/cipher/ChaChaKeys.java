package dev.sluice.transport.cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;

/**
 * The key state of one direction of {@link ChaCha20Poly1305}, shared by its sealer and opener: the two ChaCha20
 * keystreams and the Poly1305 tag under K_2's block 0.
 *
 * <p>The SSH construction uses the original ChaCha20 (64-bit nonce, 64-bit block counter) with the nonce
 * {@code uint64(seq)} big-endian, that is nonce words {@code 0} and {@code reverseBytes(seq)}. {@link ChaCha20}
 * implements that layout; the JDK implements the IETF variant (96-bit nonce, 32-bit counter), which with the nonce
 * {@code 0x00000000 || uint64(seq)} and counter {@code c} produces the same block, because the IETF nonce's first
 * word sits where the original counter's high word does, and that word stays 0 for packets below 2^32 blocks.
 *
 * <p>The header key K_1 (4 bytes per packet) and block 0 of K_2 (the Poly1305 key) always come from {@link ChaCha20}:
 * one block, no allocation. The body comes from {@link ChaCha20} or from the JDK's cipher as {@link #OWN_CHACHA}
 * says. The JDK refuses to initialize a ChaCha20 cipher with the key and nonce of its previous initialization, so
 * should the body be needed twice for one sequence number, it is first initialized with a nonce no packet uses. The
 * header keystream is generated once per sequence number and kept, since the opener needs it twice
 * ({@code packetLength}, perhaps repeatedly while the packet arrives, then {@code open}).
 *
 * <p>Not thread-safe (one connection's event loop).
 */
final class ChaChaKeys implements AeadPacketCipher.Keys {
    /**
     * Whether the body keystream comes from {@link ChaCha20} rather than the JDK's {@code ChaCha20} cipher. Measured
     * with the benchmarks module's CipherBenchmark (chacha20-poly1305, 32 KiB, 2-core Zen 4): on JDK 17 the JDK
     * cipher is plain Java at about 0.45 GB/s and ours runs about 2.2 GB/s; JDK 20 made the JDK's an intrinsic
     * (JDK-8247645) that runs 3.1-3.5 GB/s on JDK 25, where ours reaches 2.0-2.7 GB/s.
     */
    static final boolean OWN_CHACHA = Runtime.version().feature() < 20;

    private static final int KEY_HALF = 32;

    private final boolean own;
    private final ChaCha20 main;
    private final ChaCha20 header;
    /** The JDK's cipher and K_2 for it, or null when {@link #own}. */
    private final Cipher jdk;
    private final RawKey jdkKey;
    private final Poly1305 poly = new Poly1305();
    /** K_2's block 0 for the packet being tagged; zeroed after each use. */
    private final byte[] polyKey = new byte[ChaCha20.BLOCK];
    private final byte[] nonce = new byte[12];
    /** K_1's first 4 keystream bytes for {@link #headerSeq}, valid when {@link #headerValid}. */
    private final byte[] headerStream = new byte[ChaCha20Poly1305.LENGTH_FIELD];
    private int headerSeq;
    private boolean headerValid;
    private boolean jdkUsed;
    private boolean destroyed;

    ChaChaKeys(byte[] key) {
        this(key, OWN_CHACHA);
    }

    /** Keys whose body keystream comes from {@link ChaCha20} when {@code own}, else from the JDK (for tests). */
    ChaChaKeys(byte[] key, boolean own) {
        if (key.length < ChaCha20Poly1305.KEY_LENGTH) {
            throw new IllegalArgumentException("chacha20-poly1305 needs a 64-byte key, got " + key.length);
        }
        this.own = own;
        this.main = new ChaCha20(key, 0);
        this.header = new ChaCha20(key, KEY_HALF);
        if (own) {
            this.jdk = null;
            this.jdkKey = null;
        } else {
            this.jdkKey = new RawKey("ChaCha20", key, 0, KEY_HALF);
            try {
                this.jdk = Cipher.getInstance("ChaCha20");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks ChaCha20", e);
            }
        }
    }

    /** XORs the 4 length bytes at {@code in[inOff]} with K_1's keystream for {@code seq} into {@code out[outOff]}. */
    void cryptLength(int seq, byte[] in, int inOff, byte[] out, int outOff) {
        checkLive();
        if (!headerValid || headerSeq != seq) {
            Arrays.fill(headerStream, (byte) 0);
            header.xor(0, 0, Integer.reverseBytes(seq), headerStream, 0, ChaCha20Poly1305.LENGTH_FIELD);
            headerSeq = seq;
            headerValid = true;
        }
        for (int i = 0; i < ChaCha20Poly1305.LENGTH_FIELD; i++) {
            out[outOff + i] = (byte) (in[inOff + i] ^ headerStream[i]);
        }
    }

    /**
     * Writes the Poly1305 tag of {@code a[off, off+len)} under the one-time key of packet {@code seq} (the first 32
     * bytes of K_2's block 0) to {@code out[outOff]}.
     */
    void tag(int seq, byte[] a, int off, int len, byte[] out, int outOff) {
        startPacket(seq, polyKey);
        poly.mac(polyKey, 0, a, off, len, out, outOff);
        Arrays.fill(polyKey, (byte) 0);
    }

    /** Writes K_2's block 0 for {@code seq} into {@code block} (64 bytes; the first 32 are the Poly1305 key). */
    void startPacket(int seq, byte[] block) {
        checkLive();
        Arrays.fill(block, 0, ChaCha20.BLOCK, (byte) 0);
        main.xor(0, 0, Integer.reverseBytes(seq), block, 0, ChaCha20.BLOCK);
    }

    /** XORs {@code len} bytes at {@code buf[off]} in place with K_2's keystream for {@code seq} from block 1 on. */
    void cryptBody(int seq, byte[] buf, int off, int len) {
        checkLive();
        if (own) {
            main.xor(1, 0, Integer.reverseBytes(seq), buf, off, len);
            return;
        }
        if (jdkUsed && nonceHolds(seq)) {
            // Only after a failed open or a caller's retry; see the class comment.
            nonce[0] = 1;
            initJdk();
            nonce[0] = 0;
        }
        setNonce(seq);
        initJdk();
        jdkUsed = true;
        try {
            jdk.update(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 failed", e);
        }
    }

    private boolean nonceHolds(int seq) {
        return nonce[8] == (byte) (seq >>> 24) && nonce[9] == (byte) (seq >>> 16) && nonce[10] == (byte) (seq >>> 8)
                && nonce[11] == (byte) seq;
    }

    private void setNonce(int seq) {
        nonce[8] = (byte) (seq >>> 24);
        nonce[9] = (byte) (seq >>> 16);
        nonce[10] = (byte) (seq >>> 8);
        nonce[11] = (byte) seq;
    }

    private void initJdk() {
        try {
            // Counter 1: block 0 is the Poly1305 key. The spec copies the nonce; the JDK API forces this allocation.
            jdk.init(Cipher.DECRYPT_MODE, jdkKey, new ChaCha20ParameterSpec(nonce, 1));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 init failed", e);
        }
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("chacha20-poly1305 keys destroyed");
        }
    }

    /**
     * Zeroes both keys, the cached header keystream and the Poly1305 state, and overwrites the JDK cipher's key copy
     * if there is one.
     */
    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        main.destroy();
        header.destroy();
        poly.destroy();
        Arrays.fill(headerStream, (byte) 0);
        headerValid = false;
        if (jdk != null) {
            jdkKey.destroy();
            nonce[0] = 1; // a nonce no packet uses, so this never repeats the previous initialization
            try {
                jdk.init(Cipher.DECRYPT_MODE, new RawKey("ChaCha20", new byte[KEY_HALF], 0, KEY_HALF),
                        new ChaCha20ParameterSpec(nonce, 0));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("ChaCha20 wipe failed", e);
            } finally {
                Arrays.fill(nonce, (byte) 0);
            }
        }
    }

    boolean ownForTest() {
        return own;
    }

    ChaCha20 mainForTest() {
        return main;
    }

    ChaCha20 headerForTest() {
        return header;
    }

    /** K_2 as handed to the JDK, or null when the body keystream is {@link ChaCha20}'s. */
    RawKey jdkKeyForTest() {
        return jdkKey;
    }
}
