package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.Test;

/** RFC 4253 section 7.2 key derivation, checked against a construction of its own with Bouncy Castle's SHA-256. */
class KeyDerivationTest {

    private static byte[] sha256(byte[]... parts) {
        SHA256Digest d = new SHA256Digest();
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    @Test
    void keysLongerThanTheHashShouldBeExtendedWithHashesOfWhatCameBefore() {
        Random random = new Random(3);
        byte[] k = new byte[37];
        byte[] h = new byte[32];
        byte[] sessionId = new byte[32];
        random.nextBytes(k);
        random.nextBytes(h);
        random.nextBytes(sessionId);
        KeyDerivation kd = new KeyDerivation("SHA-256", k, h, sessionId);
        for (char letter = 'A'; letter <= 'F'; letter++) {
            byte[] k1 = sha256(k, h, new byte[] {(byte) letter}, sessionId);
            byte[] k2 = sha256(k, h, k1);
            byte[] k3 = sha256(k, h, k1, k2);
            byte[] expected = new byte[96];
            System.arraycopy(k1, 0, expected, 0, 32);
            System.arraycopy(k2, 0, expected, 32, 32);
            System.arraycopy(k3, 0, expected, 64, 32);
            // 64 bytes: an hmac-sha2-512 key under a SHA-256 exchange; 96 bytes: a third round.
            assertThat(kd.derive(letter, 64)).isEqualTo(Arrays.copyOf(expected, 64));
            assertThat(kd.derive(letter, 96)).isEqualTo(expected);
            assertThat(kd.derive(letter, 16)).isEqualTo(Arrays.copyOf(k1, 16));
            assertThat(kd.derive(letter, 0)).isEmpty();
        }
    }
}
