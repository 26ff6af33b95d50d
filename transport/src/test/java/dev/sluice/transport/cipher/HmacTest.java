package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HMAC known answers: RFC 4231 (SHA-256, SHA-512) and RFC 2202 (SHA-1). SSH puts the sequence number before the
 * bytes, so the first four message bytes of each vector play the sequence number.
 */
class HmacTest {
    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest(name = "RFC 4231 case {0}, {1}")
    @CsvSource({
        // Test case 1: key 0x0b x 20, "Hi There".
        "1, hmac-sha2-256, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, 4869205468657265, "
                + "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "1, hmac-sha2-512, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, 4869205468657265, "
                + "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        // Test case 2: key "Jefe", "what do ya want for nothing?".
        "2, hmac-sha2-256, 4a656665, 7768617420646f2079612077616e7420666f72206e6f7468696e673f, "
                + "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "2, hmac-sha2-512-etm@openssh.com, 4a656665, "
                + "7768617420646f2079612077616e7420666f72206e6f7468696e673f, "
                + "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        // RFC 2202 test case 2 for HMAC-SHA-1.
        "2, hmac-sha1, 4a656665, 7768617420646f2079612077616e7420666f72206e6f7468696e673f, "
                + "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    })
    void macsShouldMatchThePublishedVectors(int testCase, String name, String key, String data, String mac) {
        Hmac alg = Macs.hmac(name);
        byte[] k = HEX.parseHex(key);
        byte[] d = HEX.parseHex(data);
        HmacKeys keys = new HmacKeys(alg, k, k.length);
        int seq = (d[0] & 0xff) << 24 | (d[1] & 0xff) << 16 | (d[2] & 0xff) << 8 | (d[3] & 0xff);
        byte[] out = new byte[alg.macLength()];
        keys.compute(seq, d, 4, d.length - 4, out, 0);
        assertThat(HEX.formatHex(out)).isEqualTo(mac);
        byte[] withTag = Arrays.copyOf(d, d.length + out.length);
        System.arraycopy(out, 0, withTag, d.length, out.length);
        assertThat(keys.verify(seq, withTag, 4, d.length - 4, d.length)).isTrue();
        withTag[withTag.length - 1] ^= 1;
        assertThat(keys.verify(seq, withTag, 4, d.length - 4, d.length)).isFalse();
        keys.destroy();
    }

    @Test
    void aKeyLongerThanTheBlockShouldBeHashedFirst() {
        // RFC 4231 test case 6: key 0xaa x 131, "Test Using Larger Than Block-Size Key - Hash Key First".
        byte[] k = new byte[131];
        Arrays.fill(k, (byte) 0xaa);
        byte[] d = "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII);
        HmacKeys keys = new HmacKeys(Hmac.SHA2_256, k, k.length);
        byte[] out = new byte[32];
        keys.compute(0x54657374, d, 4, d.length - 4, out, 0);
        assertThat(HEX.formatHex(out))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        keys.destroy();
    }

    @Test
    void registryShouldOfferOpenSshDefaultsWithoutSha1() {
        assertThat(Macs.defaultNames()).containsExactly("hmac-sha2-256-etm@openssh.com",
                "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512");
        assertThat(Macs.optInNames()).containsExactly("hmac-sha1-etm@openssh.com", "hmac-sha1");
        assertThat(Macs.byName("hmac-sha1")).hasValueSatisfying(m -> {
            assertThat(m.keyLength()).isEqualTo(20);
            assertThat(m.macLength()).isEqualTo(20);
            assertThat(m.encryptThenMac()).isFalse();
        });
        assertThat(Macs.byName("hmac-sha2-512-etm@openssh.com")).hasValueSatisfying(m -> {
            assertThat(m.keyLength()).isEqualTo(64);
            assertThat(m.encryptThenMac()).isTrue();
        });
        assertThat(Macs.byName("umac-64@openssh.com")).isEmpty();
        assertThat(Macs.byName("none")).isEmpty();
        assertThat(Macs.byName(null)).isEmpty();
    }

    @Test
    void destroyShouldZeroTheKey() {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) 7);
        HmacKeys keys = Hmac.SHA2_256.keys(k);
        keys.destroy();
        assertThat(keys.keyForTest().bytesForTest()).containsOnly(0);
        assertThat(keys.keyForTest().isDestroyed()).isTrue();
    }
}
