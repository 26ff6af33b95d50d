package dev.sluice.transport.cipher;

/**
 * {@code aes128-ctr}, {@code aes192-ctr} and {@code aes256-ctr} of RFC 4344 section 4: AES in counter mode, the
 * 16-byte derived IV as the initial counter block, the counter running on across packets. The cipher does not
 * authenticate, so a {@link MacAlgorithm} is negotiated with it and {@link PacketProtection} pairs the two.
 *
 * <p>{@link #sealer(byte[], byte[])} and {@link #opener(byte[], byte[])} give encryption alone (the MAC
 * {@code none}, which Sluice never negotiates); the JDK's {@code AES/CTR/NoPadding} does the work, on AES-NI.
 */
final class AesCtr implements CipherAlgorithm {
    static final AesCtr AES128 = new AesCtr("aes128-ctr", 16);
    static final AesCtr AES192 = new AesCtr("aes192-ctr", 24);
    static final AesCtr AES256 = new AesCtr("aes256-ctr", 32);

    static final String TRANSFORMATION = "AES/CTR/NoPadding";
    static final int BLOCK_SIZE = 16;

    private final String wireName;
    private final int keyLength;

    private AesCtr(String wireName, int keyLength) {
        this.wireName = wireName;
        this.keyLength = keyLength;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    @Override
    public int keyLength() {
        return keyLength;
    }

    @Override
    public int ivLength() {
        return BLOCK_SIZE;
    }

    @Override
    public boolean isAead() {
        return false;
    }

    @Override
    public PacketSealer sealer(byte[] key, byte[] iv) {
        return new AesCtrSealer(new AesCtrKeys(key, keyLength, iv), null, false);
    }

    @Override
    public PacketOpener opener(byte[] key, byte[] iv) {
        return new AesCtrOpener(new AesCtrKeys(key, keyLength, iv), null, false);
    }

    /** A sealer authenticated by {@code mac} keyed with {@code macKey}; the caller zeroes its arrays afterwards. */
    PacketSealer sealer(byte[] key, byte[] iv, Hmac mac, byte[] macKey) {
        return new AesCtrSealer(new AesCtrKeys(key, keyLength, iv), mac.keys(macKey), mac.encryptThenMac());
    }

    /** An opener verifying {@code mac} keyed with {@code macKey}; the caller zeroes its arrays afterwards. */
    PacketOpener opener(byte[] key, byte[] iv, Hmac mac, byte[] macKey) {
        return new AesCtrOpener(new AesCtrKeys(key, keyLength, iv), mac.keys(macKey), mac.encryptThenMac());
    }

    @Override
    public String toString() {
        return wireName;
    }
}
