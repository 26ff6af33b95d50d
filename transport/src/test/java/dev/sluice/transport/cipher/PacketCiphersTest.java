package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties every packet cipher (with each MAC, for those that need one) must have, on heap and direct buffers. */
class PacketCiphersTest {

    @Provide
    Arbitrary<CipherSuite> allCiphers() {
        return Arbitraries.of(CipherSuite.all());
    }

    @Provide
    Arbitrary<CipherSuite> authenticatingCiphers() {
        return Arbitraries.of(CipherSuite.authenticating());
    }

    @Property(tries = 400)
    void sealThenOpenShouldReturnTheOriginalPacket(@ForAll("allCiphers") CipherSuite alg,
            @ForAll @IntRange(max = 35000) int payloadSize, @ForAll int seq, @ForAll boolean direct,
            @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] keys = alg.keys(random);
        PacketSealer sealer = alg.sealer(keys);
        PacketOpener opener = alg.opener(keys);
        ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(payloadSize, random), direct, random);
        try {
            byte[] plain = TestPackets.bytes(packet);
            assertThat((plain.length - sealer.aadLength()) % sealer.blockSize()).isZero();
            sealer.seal(seq, packet);
            assertThat(packet.readableBytes()).isEqualTo(plain.length + sealer.tagLength());

            int readerIndex = packet.readerIndex();
            // Asked again, as a decoder does each time more of the packet arrives.
            assertThat(opener.packetLength(seq, packet)).isEqualTo(plain.length - 4);
            assertThat(opener.packetLength(seq, packet)).isEqualTo(plain.length - 4);
            assertThat(packet.readableBytes()).isEqualTo(plain.length + sealer.tagLength());
            opener.open(seq, packet);
            assertThat(packet.readerIndex()).isEqualTo(readerIndex);
            assertThat(packet.readableBytes()).isEqualTo(plain.length + sealer.tagLength());
            assertThat(TestPackets.bytes(packet.slice(readerIndex, plain.length))).isEqualTo(plain);
        } finally {
            packet.release();
            sealer.destroy();
            opener.destroy();
        }
    }

    @Property(tries = 600)
    void flippingAnyBitOfLengthCiphertextOrTagShouldFailWithMacError(
            @ForAll("authenticatingCiphers") CipherSuite alg, @ForAll @IntRange(max = 3000) int payloadSize,
            @ForAll int seq, @ForAll boolean direct, @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] keys = alg.keys(random);
        PacketSealer sealer = alg.sealer(keys);
        PacketOpener opener = alg.opener(keys);
        ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(payloadSize, random), direct, random);
        try {
            sealer.seal(seq, packet);
            // Bias a third of the tries to the length field and the tag, the parts with special handling.
            int bits = packet.readableBytes() * 8;
            int bit;
            switch (random.nextInt(3)) {
                case 0:
                    bit = random.nextInt(32);
                    break;
                case 1:
                    bit = bits - 1 - random.nextInt(sealer.tagLength() * 8);
                    break;
                default:
                    bit = random.nextInt(bits);
            }
            int index = packet.readerIndex() + bit / 8;
            packet.setByte(index, packet.getByte(index) ^ (1 << (bit % 8)));
            assertThatThrownBy(() -> opener.open(seq, packet))
                    .isInstanceOfSatisfying(SshException.class, e -> {
                        assertThat(e.reason()).isEqualTo(DisconnectReason.MAC_ERROR);
                        assertThat(e.getMessage()).isEqualTo("Corrupted MAC on input.");
                    });
        } finally {
            packet.release();
            sealer.destroy();
            opener.destroy();
        }
    }

    @Property(tries = 50)
    void aStreamOfPacketsShouldOpenInOrder(@ForAll("allCiphers") CipherSuite alg, @ForAll boolean direct,
            @ForAll int firstSeq, @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] keys = alg.keys(random);
        PacketSealer sealer = alg.sealer(keys);
        PacketOpener opener = alg.opener(keys);
        try {
            for (int i = 0; i < 20; i++) {
                int seq = firstSeq + i; // wraps at 2^32 like the real counter
                ByteBuf packet = TestPackets.packet(sealer, TestPackets.payload(random.nextInt(600), random),
                        direct, random);
                try {
                    byte[] plain = TestPackets.bytes(packet);
                    sealer.seal(seq, packet);
                    assertThat(opener.packetLength(seq, packet)).isEqualTo(plain.length - 4);
                    opener.open(seq, packet);
                    assertThat(TestPackets.bytes(packet.slice(packet.readerIndex(), plain.length)))
                            .isEqualTo(plain);
                } finally {
                    packet.release();
                }
            }
        } finally {
            sealer.destroy();
            opener.destroy();
        }
    }

    @Property(tries = 100)
    void aPacketSpreadOverSeveralBuffersShouldSealAndOpenLikeOneBuffer(
            @ForAll("allCiphers") CipherSuite alg, @ForAll @IntRange(max = 5000) int payloadSize,
            @ForAll int seq, @ForAll boolean direct, @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] keys = alg.keys(random);
        PacketSealer reference = alg.sealer(keys);
        PacketSealer sealer = alg.sealer(keys);
        PacketOpener opener = alg.opener(keys);
        ByteBuf single = TestPackets.packet(sealer, TestPackets.payload(payloadSize, random), false, random);
        byte[] plain = TestPackets.bytes(single);
        int cut = random.nextInt(plain.length + 1);
        CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeBuffer();
        composite.addComponent(true, TestPackets.wrap(Arrays.copyOfRange(plain, 0, cut), direct, 0));
        composite.addComponent(true,
                TestPackets.wrap(Arrays.copyOfRange(plain, cut, plain.length), direct, 16));
        try {
            reference.seal(seq, single);
            sealer.seal(seq, composite);
            assertThat(TestPackets.bytes(composite)).isEqualTo(TestPackets.bytes(single));
            opener.open(seq, composite);
            assertThat(TestPackets.bytes(composite.slice(0, plain.length))).isEqualTo(plain);
        } finally {
            single.release();
            composite.release();
            reference.destroy();
            sealer.destroy();
            opener.destroy();
        }
    }
}
