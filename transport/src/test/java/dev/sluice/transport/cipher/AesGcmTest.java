package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AES-GCM as OpenSSH does it, cross-checked against Bouncy Castle's GCMBlockCipher with the same key, IV and AAD. */
class AesGcmTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Reference seal with Bouncy Castle: {@code plain} is length + body; returns length + ciphertext + tag. */
    static byte[] referenceSeal(byte[] key, byte[] nonce, byte[] plain) throws InvalidCipherTextException {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, Arrays.copyOf(plain, 4)));
        byte[] out = new byte[plain.length + 16];
        System.arraycopy(plain, 0, out, 0, 4);
        int n = gcm.processBytes(plain, 4, plain.length - 4, out, 4);
        gcm.doFinal(out, 4 + n);
        return out;
    }

    /** The nonce after {@code steps} packets: the last 8 bytes are a big-endian counter, wrapping. */
    static byte[] nonceAfter(byte[] iv, long steps) {
        byte[] n = Arrays.copyOf(iv, 12);
        long counter = 0;
        for (int i = 4; i < 12; i++) {
            counter = counter << 8 | (n[i] & 0xFF);
        }
        counter += steps;
        for (int i = 11; i >= 4; i--) {
            n[i] = (byte) counter;
            counter >>>= 8;
        }
        return n;
    }

    @Property(tries = 200)
    void consecutivePacketsShouldMatchBouncyCastleWithAnAdvancingCounter(@ForAll boolean aes256,
            @ForAll boolean direct, @ForAll @IntRange(max = 35000) int payloadSize, @ForAll long seed)
            throws InvalidCipherTextException {
        Random random = new Random(seed);
        AesGcm alg = aes256 ? AesGcm.AES256 : AesGcm.AES128;
        byte[] key = TestPackets.payload(alg.keyLength(), random);
        byte[] iv = TestPackets.payload(12, random);
        if (random.nextBoolean()) {
            // Make the invocation counter carry across bytes and wrap within the next packets.
            Arrays.fill(iv, 5, 12, (byte) 0xff);
            iv[4] = (byte) (random.nextBoolean() ? 0xff : 0x00);
            iv[11] = (byte) 0xfe;
        }
        PacketSealer sealer = alg.sealer(key, iv);
        PacketOpener opener = alg.opener(key, iv);
        for (int p = 0; p < 3; p++) {
            int size = p == 0 ? payloadSize : random.nextInt(2000);
            ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(size, random), direct, random);
            try {
                byte[] plain = TestPackets.bytes(packet);
                int seq = random.nextInt();
                sealer.seal(seq, packet);
                assertThat(TestPackets.bytes(packet)).isEqualTo(referenceSeal(key, nonceAfter(iv, p), plain));
                assertThat(opener.packetLength(seq, packet)).isEqualTo(plain.length - 4);
                opener.open(seq, packet);
                assertThat(TestPackets.bytes(packet.slice(packet.readerIndex(), plain.length))).isEqualTo(plain);
            } finally {
                packet.release();
            }
        }
        sealer.destroy();
        opener.destroy();
    }

    @Test
    void invocationCounterShouldWrapAfterAllOnes() {
        byte[] iv = HEX.parseHex("00112233ffffffffffffffff");
        GcmKeys keys = new GcmKeys(new byte[16], 16, iv);
        keys.advance();
        assertThat(HEX.formatHex(keys.nonceForTest())).isEqualTo("001122330000000000000000");
        keys.advance();
        assertThat(HEX.formatHex(keys.nonceForTest())).isEqualTo("001122330000000000000001");
    }

    @Test
    void invocationCounterShouldCarryIntoHigherBytes() {
        GcmKeys keys = new GcmKeys(new byte[16], 16, HEX.parseHex("aabbccdd00000000000000ff"));
        keys.advance();
        assertThat(HEX.formatHex(keys.nonceForTest())).isEqualTo("aabbccdd0000000000000100");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void identicalPacketsShouldGiveDifferentCiphertexts(boolean direct) {
        byte[] key = new byte[16];
        byte[] iv = new byte[12];
        PacketSealer sealer = AesGcm.AES128.sealer(key, iv);
        byte[] payload = new byte[64];
        ByteBuf a = TestPackets.packet(sealer, payload, direct, new Random(3));
        ByteBuf b = TestPackets.packet(sealer, payload, direct, new Random(3));
        try {
            assertThat(TestPackets.bytes(a)).isEqualTo(TestPackets.bytes(b));
            sealer.seal(0, a);
            sealer.seal(0, b);
            assertThat(TestPackets.bytes(a)).isNotEqualTo(TestPackets.bytes(b));
            // The length stays in plaintext.
            assertThat(a.getInt(0)).isEqualTo(b.getInt(0));
        } finally {
            a.release();
            b.release();
        }
    }

    @Test
    void destroyShouldZeroKeyAndNonceAndDisableTheCipher() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x42);
        byte[] iv = new byte[12];
        Arrays.fill(iv, (byte) 0x24);
        AesGcmSealer sealer = (AesGcmSealer) AesGcm.AES256.sealer(key, iv);
        AesGcmOpener opener = (AesGcmOpener) AesGcm.AES256.opener(key, iv);
        byte[] sealerKey = sealer.keys.keyForTest().bytesForTest();
        assertThat(sealerKey).containsOnly(0x42);
        sealer.destroy();
        opener.destroy();
        assertThat(sealerKey).containsOnly(0);
        assertThat(sealer.keys.nonceForTest()).containsOnly(0);
        assertThat(opener.keys.keyForTest().bytesForTest()).containsOnly(0);
        assertThat(opener.keys.nonceForTest()).containsOnly(0);
        ByteBuf packet = TestPackets.packet(sealer, new byte[10], false, new Random(1));
        try {
            assertThatThrownBy(() -> sealer.seal(0, packet)).isInstanceOf(IllegalStateException.class);
        } finally {
            packet.release();
        }
    }

    @Test
    void aKeyOrIvThatIsTooShortShouldBeRejected() {
        assertThatThrownBy(() -> AesGcm.AES256.sealer(new byte[16], new byte[12]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AesGcm.AES128.opener(new byte[16], new byte[8]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealerShouldNotModifyTheCallersKeyOrIv() {
        byte[] key = new byte[16];
        Arrays.fill(key, (byte) 1);
        byte[] iv = new byte[12];
        Arrays.fill(iv, (byte) 2);
        PacketSealer sealer = AesGcm.AES128.sealer(key, iv);
        ByteBuf packet = TestPackets.packet(sealer, new byte[10], false, new Random(1));
        try {
            sealer.seal(0, packet);
            sealer.destroy();
            assertThat(key).containsOnly(1);
            assertThat(iv).containsOnly(2);
        } finally {
            packet.release();
        }
    }
}
