package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();

    private static String tag(String keyHex, String msgHex) {
        byte[] key = HEX.parseHex(keyHex);
        byte[] msg = HEX.parseHex(msgHex);
        byte[] out = new byte[16];
        Poly1305.macSerial(key, 0, msg, 0, msg.length, out, 0);
        return HEX.formatHex(out);
    }

    @Test
    void section252ExampleShouldGiveItsTag() {
        String key = "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b";
        String msg = HEX.formatHex("Cryptographic Forum Research Group".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(tag(key, msg)).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
    }

    @Test
    void appendixA3VectorsOneToFourShouldGiveTheirTags() {
        for (String[] v : Rfc8439Vectors.POLY1305_A3) {
            assertThat(tag(v[0], v[1])).as("key %s", v[0]).isEqualTo(v[2]);
        }
    }

    /** A.3 #5 to #11, the carry and reduction edge cases: R, S, data, tag. */
    @ParameterizedTest
    @CsvSource({
        "02000000000000000000000000000000, 00000000000000000000000000000000, "
                + "ffffffffffffffffffffffffffffffff, 03000000000000000000000000000000",
        "02000000000000000000000000000000, ffffffffffffffffffffffffffffffff, "
                + "02000000000000000000000000000000, 03000000000000000000000000000000",
        "01000000000000000000000000000000, 00000000000000000000000000000000, "
                + "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000, "
                + "05000000000000000000000000000000",
        "01000000000000000000000000000000, 00000000000000000000000000000000, "
                + "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101, "
                + "00000000000000000000000000000000",
        "02000000000000000000000000000000, 00000000000000000000000000000000, "
                + "fdffffffffffffffffffffffffffffff, faffffffffffffffffffffffffffffff",
        "01000000000000000400000000000000, 00000000000000000000000000000000, "
                + "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000"
                + "01000000000000000000000000000000, 14000000000000005500000000000000",
        "01000000000000000400000000000000, 00000000000000000000000000000000, "
                + "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000, "
                + "13000000000000000000000000000000",
    })
    void appendixA3EdgeCaseVectorsShouldGiveTheirTags(String r, String s, String data, String expected) {
        assertThat(tag(r + s, data)).isEqualTo(expected);
    }

    @Test
    void tagShouldBeWrittenAtTheOutputOffsetWithoutTouchingNeighbours() {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] framed = new byte[7 + msg.length + 16 + 3];
        Arrays.fill(framed, (byte) 0x5a);
        System.arraycopy(msg, 0, framed, 7, msg.length);
        Poly1305.macSerial(key, 0, framed, 7, msg.length, framed, 7 + msg.length);
        assertThat(HEX.formatHex(framed, 7 + msg.length, 7 + msg.length + 16))
                .isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
        assertThat(Arrays.copyOfRange(framed, framed.length - 3, framed.length)).containsOnly(0x5a);
        assertThat(Arrays.copyOfRange(framed, 0, 7)).containsOnly(0x5a);
    }

    @Property(tries = 2000)
    void shouldMatchBouncyCastle(@ForAll @IntRange(max = 2100) int length, @ForAll long seed,
            @ForAll @IntRange(max = 3) int shape) {
        Random random = new Random(seed);
        byte[] key = new byte[32];
        byte[] msg = new byte[length];
        // Shapes: random; all ones (every carry); all ones key and message; random key with all-ones message.
        if (shape == 0 || shape == 3) {
            random.nextBytes(key);
        } else {
            Arrays.fill(key, (byte) 0xff);
        }
        if (shape == 0) {
            random.nextBytes(msg);
        } else {
            Arrays.fill(msg, (byte) 0xff);
        }
        if (shape == 1) {
            random.nextBytes(key);
            Arrays.fill(key, 16, 32, (byte) 0xff);
        }
        byte[] ours = new byte[16];
        Poly1305.macSerial(key, 0, msg, 0, msg.length, ours, 0);

        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
        bc.init(new KeyParameter(key));
        bc.update(msg, 0, msg.length);
        byte[] theirs = new byte[16];
        bc.doFinal(theirs, 0);
        assertThat(ours).isEqualTo(theirs);
    }

    /** Tags from the serial path, the lanes (forced for every length) and Bouncy Castle must agree. */
    private static void assertAllAgree(byte[] key, byte[] msg) {
        byte[] serial = new byte[16];
        Poly1305.macSerial(key, 0, msg, 0, msg.length, serial, 0);
        byte[] lanes = new byte[16];
        new Poly1305(0).mac(key, 0, msg, 0, msg.length, lanes, 0);
        byte[] chosen = new byte[16];
        new Poly1305().mac(key, 0, msg, 0, msg.length, chosen, 0);
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
        bc.init(new KeyParameter(key));
        bc.update(msg, 0, msg.length);
        byte[] theirs = new byte[16];
        bc.doFinal(theirs, 0);
        assertThat(serial).as("serial, length %d", msg.length).isEqualTo(theirs);
        assertThat(lanes).as("lanes, length %d", msg.length).isEqualTo(theirs);
        assertThat(chosen).as("default, length %d", msg.length).isEqualTo(theirs);
    }

    /** A random message under a random key, then all-ones under that key and under an all-ones key. */
    private static void assertAllAgreeOnShapes(int length, Random random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        byte[] msg = new byte[length];
        random.nextBytes(msg);
        assertAllAgree(key, msg);
        Arrays.fill(msg, (byte) 0xff);
        assertAllAgree(key, msg);
        Arrays.fill(key, (byte) 0xff);
        assertAllAgree(key, msg);
    }

    @Test
    void lanesShouldAgreeForEveryShortLength() {
        Random random = new Random(3);
        for (int length = 0; length <= 300; length++) {
            assertAllAgreeOnShapes(length, random);
        }
    }

    @Test
    void lanesShouldAgreeAroundGroupBoundaries() {
        Random random = new Random(4);
        for (int groups = 1; groups <= 4; groups++) {
            for (int delta = -17; delta <= 17; delta++) {
                assertAllAgreeOnShapes(groups * Poly1305.GROUP + delta, random);
            }
        }
    }

    @Property(tries = 300)
    void lanesShouldAgreeOnLongMessages(@ForAll @IntRange(min = 2048, max = 70000) int length,
            @ForAll long seed, @ForAll boolean allOnes) {
        Random random = new Random(seed);
        byte[] key = new byte[32];
        byte[] msg = new byte[length];
        if (allOnes) {
            Arrays.fill(key, (byte) 0xff);
            Arrays.fill(msg, (byte) 0xff);
        } else {
            random.nextBytes(key);
            random.nextBytes(msg);
        }
        assertAllAgree(key, msg);
    }

    @Test
    void oneInstanceShouldServeManyMessagesAndOffsets() {
        Random random = new Random(5);
        Poly1305 poly = new Poly1305();
        for (int i = 0; i < 20; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            int off = random.nextInt(9);
            byte[] msg = new byte[off + 5000 + random.nextInt(40000)];
            random.nextBytes(msg);
            int len = msg.length - off;
            byte[] ours = new byte[16];
            poly.mac(key, 0, msg, off, len, ours, 0);
            byte[] serial = new byte[16];
            Poly1305.macSerial(key, 0, msg, off, len, serial, 0);
            assertThat(ours).isEqualTo(serial);
        }
    }
}
