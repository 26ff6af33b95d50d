package dev.sluice.transport.cipher;

/**
 * The HMAC family of MACs (RFC 2104): {@code hmac-sha2-256} and {@code hmac-sha2-512} of RFC 6668, {@code hmac-sha1}
 * of RFC 4253, and OpenSSH's encrypt-then-MAC forms of each ({@code …-etm@openssh.com}). The key is as long as the
 * hash output, and so is the tag (none of the truncated {@code -96} variants).
 *
 * <p>The JDK's {@code HmacSHA256}/{@code HmacSHA512}/{@code HmacSHA1} do the work; its SHA-2 intrinsics make them
 * faster than Bouncy Castle's (see the benchmarks module).
 */
final class Hmac implements MacAlgorithm {
    static final Hmac SHA2_256 = new Hmac("hmac-sha2-256", "HmacSHA256", 32, false);
    static final Hmac SHA2_512 = new Hmac("hmac-sha2-512", "HmacSHA512", 64, false);
    static final Hmac SHA1 = new Hmac("hmac-sha1", "HmacSHA1", 20, false);
    static final Hmac SHA2_256_ETM = new Hmac("hmac-sha2-256-etm@openssh.com", "HmacSHA256", 32, true);
    static final Hmac SHA2_512_ETM = new Hmac("hmac-sha2-512-etm@openssh.com", "HmacSHA512", 64, true);
    static final Hmac SHA1_ETM = new Hmac("hmac-sha1-etm@openssh.com", "HmacSHA1", 20, true);

    private final String wireName;
    private final String jdkName;
    private final int length;
    private final boolean etm;

    private Hmac(String wireName, String jdkName, int length, boolean etm) {
        this.wireName = wireName;
        this.jdkName = jdkName;
        this.length = length;
        this.etm = etm;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    @Override
    public int keyLength() {
        return length;
    }

    @Override
    public int macLength() {
        return length;
    }

    @Override
    public boolean encryptThenMac() {
        return etm;
    }

    /** The JDK's name of the HMAC, for {@link javax.crypto.Mac#getInstance}. */
    String jdkName() {
        return jdkName;
    }

    /** The MAC of one direction, keyed by a copy of {@code key}; the caller zeroes its array afterwards. */
    HmacKeys keys(byte[] key) {
        return new HmacKeys(this, key, length);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
