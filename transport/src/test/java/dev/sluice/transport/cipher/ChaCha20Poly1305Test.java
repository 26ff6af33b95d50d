package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chacha20-poly1305@openssh.com construction, against RFC 8439's ChaCha20 vectors and against an independent
 * reference built from Bouncy Castle's original (64-bit nonce) ChaChaEngine and Poly1305, written here straight
 * from PROTOCOL.chacha20poly1305.
 */
class ChaCha20Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();

    /** A 64-byte SSH key whose main half (K_2, the first 32 bytes) is {@code mainKey}. */
    private static byte[] sshKey(byte[] mainKey) {
        byte[] k = new byte[64];
        System.arraycopy(mainKey, 0, k, 0, 32);
        Arrays.fill(k, 32, 64, (byte) 0x33);
        return k;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void polyKeyShouldBeKeystreamBlockZeroAsInAppendixA4(boolean own) {
        ChaChaKeys zero = new ChaChaKeys(new byte[64], own);
        byte[] block = new byte[64];
        zero.startPacket(0, block);
        assertThat(HEX.formatHex(block, 0, 32))
                .isEqualTo("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7");

        // Nonce 00..02 is SSH sequence number 2.
        byte[] k = new byte[32];
        k[31] = 1;
        ChaChaKeys keys = new ChaChaKeys(sshKey(k), own);
        keys.startPacket(2, block);
        assertThat(HEX.formatHex(block, 0, 32))
                .isEqualTo("ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bodyShouldBeEncryptedFromBlockOneAsInAppendixA2Vector2(boolean own) {
        byte[] k = new byte[32];
        k[31] = 1;
        ChaChaKeys keys = new ChaChaKeys(sshKey(k), own);
        byte[] text = HEX.parseHex(Rfc8439Vectors.IETF_TEXT);
        keys.cryptBody(2, text, 0, text.length);
        assertThat(HEX.formatHex(text)).isEqualTo(Rfc8439Vectors.A2_2_CIPHERTEXT);
        // Again for the same sequence number (an opener retried): the same keystream, not a refused JDK init.
        keys.cryptBody(2, text, 0, text.length);
        assertThat(HEX.formatHex(text)).isEqualTo(Rfc8439Vectors.IETF_TEXT);
    }

    @Test
    void lengthShouldBeEncryptedWithTheSecondHalfOfTheKey() {
        byte[] key = new byte[64];
        key[63] = 1; // K_1 = 00..01
        ChaChaKeys keys = new ChaChaKeys(key);
        byte[] len = new byte[4];
        keys.cryptLength(2, len, 0, len, 0);
        // Block 0 of key 00..01, nonce 00..02: the A.4 #2 one-time key's first bytes.
        assertThat(HEX.formatHex(len)).isEqualTo("ecfa254f");
    }

    /** Reference seal: {@code plain} is length + body; returns ciphertext + tag. */
    static byte[] referenceSeal(byte[] key, int seq, byte[] plain) {
        byte[] nonce = new byte[8];
        long s = Integer.toUnsignedLong(seq);
        for (int i = 0; i < 8; i++) {
            nonce[i] = (byte) (s >>> (56 - 8 * i));
        }
        ChaChaEngine header = new ChaChaEngine(20);
        header.init(true, new ParametersWithIV(new KeyParameter(key, 32, 32), nonce));
        ChaChaEngine main = new ChaChaEngine(20);
        main.init(true, new ParametersWithIV(new KeyParameter(key, 0, 32), nonce));
        byte[] out = new byte[plain.length + 16];
        header.processBytes(plain, 0, 4, out, 0);
        byte[] block0 = new byte[64];
        main.processBytes(new byte[64], 0, 64, block0, 0);
        main.processBytes(plain, 4, plain.length - 4, out, 4);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(block0, 0, 32));
        mac.update(out, 0, plain.length);
        mac.doFinal(out, plain.length);
        return out;
    }

    @Property(tries = 300)
    void sealShouldMatchTheBouncyCastleReference(@ForAll @IntRange(max = 35000) int payloadSize,
            @ForAll int seq, @ForAll boolean direct, @ForAll boolean own, @ForAll long seed) {
        Random random = new Random(seed);
        byte[] key = TestPackets.payload(64, random);
        PacketSealer sealer = new ChaChaPolySealer(new ChaChaKeys(key, own));
        ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(payloadSize, random), direct, random);
        try {
            byte[] plain = TestPackets.bytes(packet);
            sealer.seal(seq, packet);
            assertThat(TestPackets.bytes(packet)).isEqualTo(referenceSeal(key, seq, plain));
        } finally {
            packet.release();
            sealer.destroy();
        }
    }

    @Property(tries = 300)
    void openShouldAcceptTheBouncyCastleReference(@ForAll @IntRange(max = 35000) int payloadSize,
            @ForAll int seq, @ForAll boolean direct, @ForAll boolean own, @ForAll long seed) {
        Random random = new Random(seed);
        byte[] key = TestPackets.payload(64, random);
        PacketOpener opener = new ChaChaPolyOpener(new ChaChaKeys(key, own));
        ByteBuf plainBuf = TestPackets.packet(opener, TestPackets.payload(payloadSize, random), false, random);
        byte[] plain = TestPackets.bytes(plainBuf);
        plainBuf.release();
        ByteBuf sealed = TestPackets.wrap(referenceSeal(key, seq, plain), direct, 0);
        try {
            int readerIndex = sealed.readerIndex();
            assertThat(opener.packetLength(seq, sealed)).isEqualTo(plain.length - 4);
            assertThat(sealed.readerIndex()).isEqualTo(readerIndex);
            opener.open(seq, sealed);
            assertThat(TestPackets.bytes(sealed.slice(readerIndex, plain.length))).isEqualTo(plain);
        } finally {
            sealed.release();
            opener.destroy();
        }
    }

    @Test
    void openWithTheWrongSequenceNumberShouldFailWithMacError() {
        Random random = new Random(7);
        byte[] key = TestPackets.payload(64, random);
        PacketSealer sealer = ChaCha20Poly1305.INSTANCE.sealer(key, new byte[0]);
        PacketOpener opener = ChaCha20Poly1305.INSTANCE.opener(key, new byte[0]);
        ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(100, random), false, random);
        try {
            sealer.seal(5, packet);
            assertThatThrownBy(() -> opener.open(6, packet))
                    .isInstanceOfSatisfying(SshException.class,
                            e -> assertThat(e.reason()).isEqualTo(DisconnectReason.MAC_ERROR));
        } finally {
            packet.release();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void destroyShouldZeroBothKeysAndDisableTheSealer(boolean own) {
        byte[] key = new byte[64];
        Arrays.fill(key, (byte) 0x7f);
        ChaChaPolySealer sealer = new ChaChaPolySealer(new ChaChaKeys(key, own));
        ChaChaKeys keys = sealer.keys;
        assertThat(keys.mainForTest().keyForTest()).containsOnly(0x7f7f7f7f);
        assertThat(keys.headerForTest().keyForTest()).containsOnly(0x7f7f7f7f);
        assertThat(keys.ownForTest()).isEqualTo(own);
        byte[] jdkKey = own ? null : keys.jdkKeyForTest().bytesForTest();
        if (!own) {
            assertThat(jdkKey).containsOnly(0x7f);
        }
        ByteBuf packet = TestPackets.packet(sealer, new byte[3000], true, new Random(1));
        try {
            sealer.seal(0, packet); // leaves plaintext in the scratch array, which destroy must wipe too
            byte[] scratch = sealer.bytes.scratchForTest();
            assertThat(scratch).hasSizeGreaterThan(3000).isNotEqualTo(new byte[scratch.length]);
            sealer.destroy();
            assertThat(keys.mainForTest().keyForTest()).containsOnly(0);
            assertThat(keys.headerForTest().keyForTest()).containsOnly(0);
            assertThat(sealer.bytes.scratchForTest()).containsOnly(0);
            if (!own) {
                assertThat(jdkKey).containsOnly(0);
            }
            packet.writerIndex(packet.writerIndex() - sealer.tagLength());
            assertThatThrownBy(() -> sealer.seal(1, packet)).isInstanceOf(IllegalStateException.class);
        } finally {
            packet.release();
        }
    }

    @Test
    void openerDestroyShouldZeroBothKeys() {
        byte[] key = new byte[64];
        Arrays.fill(key, (byte) 0x7f);
        ChaChaPolyOpener opener = (ChaChaPolyOpener) ChaCha20Poly1305.INSTANCE.opener(key, new byte[0]);
        opener.destroy();
        assertThat(opener.keys.mainForTest().keyForTest()).containsOnly(0);
        assertThat(opener.keys.headerForTest().keyForTest()).containsOnly(0);
    }

    @Test
    void theBodyKeystreamShouldBeChosenByJdkVersion() {
        ChaChaKeys keys = new ChaChaKeys(new byte[64]);
        assertThat(keys.ownForTest()).isEqualTo(Runtime.version().feature() < 20);
    }
}
