package dev.sluice.transport.key;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ciphers that protect the private section of an openssh-key-v1 file, with OpenSSH's parameters (cipher.c):
 * key and IV lengths (the KDF derives both at once), block size (the padding unit) and tag length (appended after
 * the encrypted string, not counted in it).
 */
enum KeyFileCipher {
    NONE("none", 0, 0, 8, 0),
    AES256_CTR("aes256-ctr", 32, 16, 16, 0),
    AES256_GCM("aes256-gcm@openssh.com", 32, 12, 16, 16);

    final String wireName;
    final int keyLength;
    final int ivLength;
    final int blockSize;
    final int tagLength;

    KeyFileCipher(String wireName, int keyLength, int ivLength, int blockSize, int tagLength) {
        this.wireName = wireName;
        this.keyLength = keyLength;
        this.ivLength = ivLength;
        this.blockSize = blockSize;
        this.tagLength = tagLength;
    }

    static KeyFileCipher byName(String name) {
        for (KeyFileCipher c : values()) {
            if (c.wireName.equals(name)) {
                return c;
            }
        }
        throw new KeyFormatException("unsupported private key cipher \"" + PublicKeys.printable(name) + "\"");
    }

    /** Encrypts {@code plain} with key||iv from the KDF; for GCM the result ends with the tag. */
    byte[] encrypt(byte[] keyAndIv, byte[] plain) {
        try {
            return cipher(Cipher.ENCRYPT_MODE, keyAndIv).doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(wireName + " encryption failed", e);
        }
    }

    /**
     * Decrypts {@code sealed} (ciphertext, then the tag for GCM).
     *
     * @throws IncorrectPassphraseException if the GCM tag does not verify: OpenSSH reads that as a wrong
     *     passphrase too (SSH_ERR_MAC_INVALID becomes SSH_ERR_KEY_WRONG_PASSPHRASE in sshkey.c)
     */
    byte[] decrypt(byte[] keyAndIv, byte[] sealed) {
        try {
            return cipher(Cipher.DECRYPT_MODE, keyAndIv).doFinal(sealed);
        } catch (AEADBadTagException e) {
            throw new IncorrectPassphraseException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(wireName + " decryption failed", e);
        }
    }

    private Cipher cipher(int mode, byte[] keyAndIv) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(keyAndIv, 0, keyLength, "AES");
        byte[] iv = Arrays.copyOfRange(keyAndIv, keyLength, keyLength + ivLength);
        Cipher c;
        switch (this) {
            case AES256_CTR:
                c = Cipher.getInstance("AES/CTR/NoPadding");
                c.init(mode, key, new IvParameterSpec(iv));
                return c;
            case AES256_GCM:
                // OpenSSH starts GCM's invocation counter at the derived IV, so the first (only) use is that IV.
                c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(mode, key, new GCMParameterSpec(tagLength * 8, iv));
                return c;
            default:
                throw new IllegalStateException("cipher none has no key");
        }
    }
}
