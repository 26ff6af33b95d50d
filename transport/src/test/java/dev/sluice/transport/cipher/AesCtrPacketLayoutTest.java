package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The AES-CTR packet layouts checked against an independent construction from Bouncy Castle's AES, CTR (SIC) and
 * HMAC: RFC 4253 section 6.4 (MAC of sequence number and plaintext packet, whole packet encrypted) and OpenSSH's
 * encrypt-then-MAC (PROTOCOL section 1.5: length in the clear, MAC of sequence number, length and ciphertext).
 */
class AesCtrPacketLayoutTest {

    @Provide
    Arbitrary<CipherSuite> ctrSuites() {
        return Arbitraries.of(CipherSuite.authenticating().stream()
                .filter(s -> !s.protection().cipher().isAead()).toList());
    }

    @Property(tries = 200)
    void sealedPacketsShouldEqualTheIndependentConstruction(@ForAll("ctrSuites") CipherSuite suite,
            @ForAll @IntRange(max = 2000) int payloadSize, @ForAll int seq, @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] keys = suite.keys(random);
        PacketSealer sealer = suite.sealer(keys);
        ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(payloadSize, random), false, random);
        try {
            byte[] plain = TestPackets.bytes(packet);
            // Two packets: the counter carries over, so the second one checks that too.
            byte[] first = expected(suite, keys, seq, plain, 0);
            sealer.seal(seq, packet);
            assertThat(TestPackets.bytes(packet)).isEqualTo(first);
            packet.clear().writeBytes(plain);
            sealer.seal(seq + 1, packet);
            assertThat(TestPackets.bytes(packet)).isEqualTo(expected(suite, keys, seq + 1, plain, 1));
        } finally {
            packet.release();
            sealer.destroy();
        }
    }

    /** The packet sealed as the {@code index}th packet of the stream (so the counter starts further on). */
    private static byte[] expected(CipherSuite suite, byte[][] keys, int seq, byte[] plain, int index) {
        SICBlockCipher ctr = new SICBlockCipher(AESEngine.newInstance());
        ctr.init(true, new ParametersWithIV(new KeyParameter(keys[0]), keys[1]));
        MacAlgorithm macAlg = suite.protection().mac().orElseThrow();
        // Encrypt-then-MAC leaves the length field out of the keystream.
        byte[] skip = new byte[(plain.length - (macAlg.encryptThenMac() ? 4 : 0)) * index];
        ctr.processBytes(skip, 0, skip.length, skip, 0);
        HMac hmac = new HMac(digest(macAlg.macLength()));
        hmac.init(new KeyParameter(keys[2]));
        byte[] out = Arrays.copyOf(plain, plain.length + macAlg.macLength());
        byte[] seqBytes = {(byte) (seq >>> 24), (byte) (seq >>> 16), (byte) (seq >>> 8), (byte) seq};
        hmac.update(seqBytes, 0, 4);
        if (macAlg.encryptThenMac()) {
            ctr.processBytes(out, 4, plain.length - 4, out, 4);
            hmac.update(out, 0, plain.length);
        } else {
            hmac.update(plain, 0, plain.length);
            ctr.processBytes(out, 0, plain.length, out, 0);
        }
        hmac.doFinal(out, plain.length);
        return out;
    }

    private static Digest digest(int length) {
        return switch (length) {
            case 20 -> new SHA1Digest();
            case 32 -> new SHA256Digest();
            default -> new SHA512Digest();
        };
    }
}
