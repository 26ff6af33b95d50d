package dev.sluice.transport.cipher;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A symmetric key handed to a JDK {@link javax.crypto.Cipher} whose bytes we can really wipe.
 *
 * <p>{@link javax.crypto.spec.SecretKeySpec} keeps its own copy and cannot be destroyed (its {@code destroy()} is the
 * interface default, which throws), so a sealer or opener keyed with one would leave the session key on the heap
 * after a rekey. This key hands the JDK a fresh copy on every {@link #getEncoded()} (the JDK zeroes or keeps that
 * copy as it sees fit) and zeroes its own on {@link #destroy()}.
 */
final class RawKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final byte[] bytes;
    private boolean destroyed;

    /** A key over a copy of {@code len} bytes of {@code src} from {@code off}. */
    RawKey(String algorithm, byte[] src, int off, int len) {
        this.algorithm = algorithm;
        this.bytes = Arrays.copyOfRange(src, off, off + len);
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key destroyed");
        }
        return bytes.clone();
    }

    @Override
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** The live key bytes, for tests that check {@link #destroy()} wiped them. */
    byte[] bytesForTest() {
        return bytes;
    }
}
