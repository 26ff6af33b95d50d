package dev.sluice.transport.cipher;

/**
 * {@code aes128-gcm@openssh.com} and {@code aes256-gcm@openssh.com}: AES in Galois/Counter Mode as RFC 5647 defines
 * it and OpenSSH names it (draft-miller-sshm-aes-gcm). The 4-byte {@code packet_length} is additional authenticated
 * data and stays in plaintext; the 12-byte nonce is a 4-byte fixed field and an 8-byte invocation counter, both
 * taken from the derived IV, and the counter goes up by one after every packet; the tag is 16 bytes.
 *
 * <p>The JDK's {@code AES/GCM/NoPadding} does the work: with the AES-NI and carry-less multiply intrinsics it is
 * some 40 times faster than Bouncy Castle's {@code GCMBlockCipher} (see the benchmarks module).
 */
final class AesGcm implements CipherAlgorithm {
    static final String AES128_WIRE_NAME = "aes128-gcm@openssh.com";
    static final String AES256_WIRE_NAME = "aes256-gcm@openssh.com";
    static final AesGcm AES128 = new AesGcm(AES128_WIRE_NAME, 16);
    static final AesGcm AES256 = new AesGcm(AES256_WIRE_NAME, 32);

    static final String TRANSFORMATION = "AES/GCM/NoPadding";
    static final int IV_LENGTH = 12;
    static final int TAG_LENGTH = 16;
    static final int BLOCK_SIZE = 16;
    static final int AAD_LENGTH = 4;

    private final String wireName;
    private final int keyLength;

    private AesGcm(String wireName, int keyLength) {
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
        return IV_LENGTH;
    }

    @Override
    public boolean isAead() {
        return true;
    }

    @Override
    public PacketSealer sealer(byte[] key, byte[] iv) {
        return new AesGcmSealer(new GcmKeys(key, keyLength, iv));
    }

    @Override
    public PacketOpener opener(byte[] key, byte[] iv) {
        return new AesGcmOpener(new GcmKeys(key, keyLength, iv));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
