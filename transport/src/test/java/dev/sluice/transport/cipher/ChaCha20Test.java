package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

/**
 * Our ChaCha20 against RFC 8439's vectors, the JDK's (IETF) ChaCha20 and Bouncy Castle's original-layout engine,
 * for lengths around block and batch boundaries and counters that carry into word 13.
 */
class ChaCha20Test {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8439 A.1 #1: key 0, nonce 0, counter 0; A.1 #2 is the same with counter 1 (its first 32 bytes). */
    @Test
    void keystreamShouldMatchAppendixA1() {
        ChaCha20 c = new ChaCha20(new byte[32], 0);
        byte[] block = new byte[128];
        c.xor(0, 0, 0, block, 0, 128);
        assertThat(HEX.formatHex(block, 0, 64)).isEqualTo(
                "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
        byte[] second = new byte[64];
        c.xor(1, 0, 0, second, 0, 64);
        assertThat(second).isEqualTo(Arrays.copyOfRange(block, 64, 128));
    }

    /** RFC 8439 A.2 #2: key 00..01, IETF nonce 00..02 (our nonce word 15 = 0x02000000), counter 1. */
    @Test
    void encryptionShouldMatchAppendixA2Vector2() {
        byte[] key = new byte[32];
        key[31] = 1;
        byte[] text = HEX.parseHex(Rfc8439Vectors.IETF_TEXT);
        byte[] framed = new byte[text.length + 10];
        System.arraycopy(text, 0, framed, 5, text.length);
        new ChaCha20(key, 0).xor(1, 0, 0x02000000, framed, 5, text.length);
        assertThat(HEX.formatHex(framed, 5, 5 + text.length)).isEqualTo(Rfc8439Vectors.A2_2_CIPHERTEXT);
        assertThat(Arrays.copyOfRange(framed, 0, 5)).containsOnly(0);
        assertThat(Arrays.copyOfRange(framed, framed.length - 5, framed.length)).containsOnly(0);
    }

    @Property(tries = 300)
    void shouldMatchTheJdk(@ForAll @IntRange(max = 3 * ChaCha20.LANES * 64 + 200) int length,
            @ForAll @IntRange(max = 1000) int counter, @ForAll int nonce1, @ForAll @IntRange(max = 7) int offset,
            @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        byte[] key = TestPackets.payload(32, random);
        byte[] plain = TestPackets.payload(length, random);
        // IETF nonce 0x00000000 || word14 || word15 with counter c is our block c with nonce words (word14, word15).
        int nonce0 = random.nextInt();
        byte[] ietfNonce = new byte[12];
        for (int i = 0; i < 4; i++) {
            ietfNonce[4 + i] = (byte) (nonce0 >>> (8 * i));
            ietfNonce[8 + i] = (byte) (nonce1 >>> (8 * i));
        }
        Cipher jdk = Cipher.getInstance("ChaCha20");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(ietfNonce, counter));
        byte[] expected = jdk.doFinal(plain);

        byte[] buf = new byte[offset + length + 3];
        System.arraycopy(plain, 0, buf, offset, length);
        new ChaCha20(key, 0).xor(counter, nonce0, nonce1, buf, offset, length);
        assertThat(Arrays.copyOfRange(buf, offset, offset + length)).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(buf, offset + length, buf.length)).containsOnly(0);
    }

    @Property(tries = 100)
    void shouldMatchBouncyCastlesOriginalLayoutAcrossTheCounterWord(
            @ForAll @IntRange(max = ChaCha20.LANES * 64 + 300) int length, @ForAll @IntRange(max = 300) int below,
            @ForAll long seed) {
        Random random = new Random(seed);
        byte[] key = TestPackets.payload(32, random);
        byte[] nonce = TestPackets.payload(8, random);
        byte[] plain = TestPackets.payload(length, random);
        long counter = (1L << 32) - below; // the low counter word wraps inside the message
        ChaChaEngine bc = new ChaChaEngine(20);
        bc.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        bc.seekTo(counter * 64);
        byte[] expected = new byte[length];
        bc.processBytes(plain, 0, length, expected, 0);

        int n0 = (nonce[0] & 0xFF) | (nonce[1] & 0xFF) << 8 | (nonce[2] & 0xFF) << 16 | (nonce[3] & 0xFF) << 24;
        int n1 = (nonce[4] & 0xFF) | (nonce[5] & 0xFF) << 8 | (nonce[6] & 0xFF) << 16 | (nonce[7] & 0xFF) << 24;
        new ChaCha20(key, 0).xor(counter, n0, n1, plain, 0, length);
        assertThat(plain).isEqualTo(expected);
    }

    @Test
    void destroyShouldZeroTheKey() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x7f);
        ChaCha20 c = new ChaCha20(key, 0);
        assertThat(c.keyForTest()).containsOnly(0x7f7f7f7f);
        c.destroy();
        assertThat(c.keyForTest()).containsOnly(0);
    }
}
