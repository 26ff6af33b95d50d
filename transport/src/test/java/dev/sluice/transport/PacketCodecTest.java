package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.PacketProtection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PacketCodecTest {

    private static final String[] CIPHERS = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"};

    /** An encoder and a decoder keyed alike; {@code suite} is a cipher name, then a MAC name for non-AEAD ones. */
    private static EmbeddedChannel[] keyedPair(String suite) {
        String[] names = suite.split(" ");
        if (names[0].equals("none")) {
            return new EmbeddedChannel[] {new EmbeddedChannel(new PacketEncoder()),
                new EmbeddedChannel(new PacketDecoder())};
        }
        PacketProtection protection = PacketProtection.of(names[0], names.length > 1 ? names[1] : null);
        byte[] key = new byte[protection.keyLength()];
        byte[] iv = new byte[protection.ivLength()];
        byte[] macKey = new byte[protection.macKeyLength()];
        new Random(7).nextBytes(key);
        new Random(8).nextBytes(iv);
        new Random(9).nextBytes(macKey);
        PacketEncoder encoder = new PacketEncoder();
        PacketDecoder decoder = new PacketDecoder();
        encoder.newKeys(protection.sealer(key, iv, macKey), true);
        decoder.newKeys(protection.opener(key, iv, macKey), true);
        return new EmbeddedChannel[] {new EmbeddedChannel(encoder), new EmbeddedChannel(decoder)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
        "aes128-ctr hmac-sha2-256", "aes192-ctr hmac-sha2-512", "aes256-ctr hmac-sha1",
        "aes128-ctr hmac-sha2-256-etm@openssh.com", "aes256-ctr hmac-sha2-512-etm@openssh.com",
        "aes192-ctr hmac-sha1-etm@openssh.com"})
    void payloadsSurviveEncodeThenDecode(String cipher) {
        EmbeddedChannel[] pair = keyedPair(cipher);
        Random random = new Random(1);
        for (int size : new int[] {1, 5, 15, 16, 17, 100, 32768 + 9, 65536}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            pair[0].writeOutbound(Unpooled.wrappedBuffer(payload));
            ByteBuf wire = pair[0].readOutbound();
            pair[1].writeInbound(wire);
            ByteBuf decoded = pair[1].readInbound();
            assertThat(ByteBufUtil.getBytes(decoded)).isEqualTo(payload);
            decoded.release();
        }
        assertThat(pair[0].finishAndReleaseAll()).isFalse();
        assertThat(pair[1].finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr hmac-sha2-256",
        "aes256-ctr hmac-sha2-512-etm@openssh.com"})
    void aFlippedBitIsAMacError(String cipher) {
        EmbeddedChannel[] pair = keyedPair(cipher);
        pair[0].writeOutbound(Unpooled.wrappedBuffer(new byte[] {94, 1, 2, 3}));
        ByteBuf wire = pair[0].readOutbound();
        wire.setByte(wire.writerIndex() - 20, wire.getByte(wire.writerIndex() - 20) ^ 0x10);
        assertThatThrownBy(() -> pair[1].writeInbound(wire))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOfSatisfying(SshException.class,
                        e -> assertThat(e.reason()).isEqualTo(DisconnectReason.MAC_ERROR));
        pair[0].finishAndReleaseAll();
        pair[1].finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-ctr hmac-sha2-256", "aes256-ctr hmac-sha2-256-etm@openssh.com",
        "chacha20-poly1305@openssh.com"})
    void packetsArrivingByteByByteDecodeOnceComplete(String cipher) {
        EmbeddedChannel[] pair = keyedPair(cipher);
        Random random = new Random(2);
        for (int size : new int[] {3, 40, 1000}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            pair[0].writeOutbound(Unpooled.wrappedBuffer(payload));
            ByteBuf wire = pair[0].readOutbound();
            while (wire.readableBytes() > 1) {
                pair[1].writeInbound(wire.readRetainedSlice(1));
                assertThat((Object) pair[1].readInbound()).isNull();
            }
            pair[1].writeInbound(wire);
            ByteBuf decoded = pair[1].readInbound();
            assertThat(ByteBufUtil.getBytes(decoded)).isEqualTo(payload);
            decoded.release();
        }
        assertThat(pair[0].finishAndReleaseAll()).isFalse();
        assertThat(pair[1].finishAndReleaseAll()).isFalse();
    }

    /**
     * The decoder assembles packets from whatever pieces TCP delivers: a stream of several packets, cut at random
     * points, yields every payload intact and in order, and nothing is left referenced (leak detection).
     */
    @Property(tries = 60)
    void anyCuttingOfTheStreamYieldsTheSamePayloads(
            @ForAll("suites") String suite,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 40000) Integer> sizes,
            @ForAll @Size(max = 12) List<@IntRange(min = 1, max = 90000) Integer> cuts,
            @ForAll long seed) {
        EmbeddedChannel[] pair = keyedPair(suite);
        Random random = new Random(seed);
        List<byte[]> sent = new ArrayList<>();
        ByteBuf stream = Unpooled.buffer();
        for (int size : sizes) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            sent.add(payload);
            pair[0].writeOutbound(Unpooled.wrappedBuffer(payload));
            ByteBuf wire = pair[0].readOutbound();
            stream.writeBytes(wire);
            wire.release();
        }
        for (int cut : cuts) {
            if (stream.readableBytes() <= 1) {
                break;
            }
            pair[1].writeInbound(stream.readRetainedSlice(Math.min(cut, stream.readableBytes() - 1)));
        }
        pair[1].writeInbound(stream);
        for (byte[] payload : sent) {
            ByteBuf decoded = pair[1].readInbound();
            assertThat(ByteBufUtil.getBytes(decoded)).isEqualTo(payload);
            decoded.release();
        }
        assertThat((Object) pair[1].readInbound()).isNull();
        assertThat(pair[0].finishAndReleaseAll()).isFalse();
        assertThat(pair[1].finishAndReleaseAll()).isFalse();
    }

    @Provide
    Arbitrary<String> suites() {
        return Arbitraries.of("aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes192-ctr hmac-sha2-256",
                "aes256-ctr hmac-sha2-512-etm@openssh.com", "none");
    }

    @Test
    void aPacketLengthOver256KiBIsRefusedBeforeBuffering() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketDecoder());
        ByteBuf wire = Unpooled.buffer().writeInt(256 * 1024 + 8).writeByte(4);
        assertThatThrownBy(() -> ch.writeInbound(wire))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
                    assertThat(e.getMessage()).startsWith("Bad packet length");
                });
        ch.finishAndReleaseAll();
    }

    @Test
    void plainPacketsArePaddedToEightBytesWithAtLeastFourBytesOfPadding() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketEncoder());
        for (int size = 1; size < 40; size++) {
            byte[] payload = new byte[size];
            Arrays.fill(payload, (byte) 7);
            ch.writeOutbound(Unpooled.wrappedBuffer(payload));
            ByteBuf wire = ch.readOutbound();
            int length = wire.getInt(0);
            int padding = wire.getUnsignedByte(4);
            assertThat(wire.readableBytes()).isEqualTo(4 + length);
            assertThat((4 + length) % 8).isZero();
            assertThat(padding).isBetween(4, 11);
            assertThat(length).isEqualTo(1 + size + padding);
            wire.release();
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void cipherListIsTheOneTheTestsCover() {
        assertThat(Ciphers.defaultNames()).containsExactlyInAnyOrder(CIPHERS);
    }
}
