package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.cipher.Ciphers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Inflater;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Compression in the packet codec: zlib from NEWKEYS on, zlib@openssh.com only after USERAUTH_SUCCESS, one stream per
 * direction with a sync flush per packet, and a bounded inflate.
 */
class PacketCompressionTest {
    private static final int USERAUTH_SUCCESS = 52;

    /** A server's encoder (index 0) and a client's decoder (index 1), each with its own side's compression state. */
    private static EmbeddedChannel[] serverToClient(String compression) {
        PacketEncoder encoder = new PacketEncoder(new PacketCompression(Role.SERVER));
        PacketDecoder decoder = new PacketDecoder(new PacketCompression(Role.CLIENT));
        encoder.newKeys(Ciphers.none().sealer(new byte[0], new byte[0]), false,
                compression);
        decoder.newKeys(Ciphers.none().opener(new byte[0], new byte[0]), false,
                compression);
        return new EmbeddedChannel[] {new EmbeddedChannel(encoder), new EmbeddedChannel(decoder)};
    }

    /** Sends one payload across and returns {wire packet length, decoded payload}. */
    private static Object[] send(EmbeddedChannel[] pair, byte[] payload) {
        pair[0].writeOutbound(Unpooled.wrappedBuffer(payload));
        ByteBuf wire = pair[0].readOutbound();
        int wireLength = wire.readableBytes();
        pair[1].writeInbound(wire);
        ByteBuf decoded = pair[1].readInbound();
        byte[] bytes = ByteBufUtil.getBytes(decoded);
        decoded.release();
        return new Object[] {wireLength, bytes};
    }

    private static byte[] text(int size, int id) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) "the quick brown fox jumps over the lazy dog ".charAt(i % 44);
        }
        b[0] = (byte) id;
        return b;
    }

    @Test
    void zlibShouldCompressFromNewKeysOnAndKeepOneStreamAcrossPackets() {
        EmbeddedChannel[] pair = serverToClient(PacketCompression.ZLIB);
        byte[] payload = text(4000, 94);
        Object[] first = send(pair, payload);
        Object[] second = send(pair, payload);
        assertThat((byte[]) first[1]).isEqualTo(payload);
        assertThat((byte[]) second[1]).isEqualTo(payload);
        assertThat((int) first[0]).isLessThan(400);
        // The second packet refers back into the first one's window: the stream is shared.
        assertThat((int) second[0]).isLessThan((int) first[0]);
        assertThat(pair[0].finishAndReleaseAll()).isFalse();
        assertThat(pair[1].finishAndReleaseAll()).isFalse();
    }

    @Test
    void delayedCompressionShouldStartRightAfterUserAuthSuccessInBothSides() {
        EmbeddedChannel[] pair = serverToClient(PacketCompression.DELAYED);
        byte[] before = text(4000, 60);
        assertThat((int) send(pair, before)[0]).as("not compressed before authentication").isGreaterThan(4000);
        byte[] success = {USERAUTH_SUCCESS};
        Object[] sent = send(pair, success);
        assertThat((byte[]) sent[1]).isEqualTo(success);
        assertThat((int) sent[0]).as("USERAUTH_SUCCESS itself is not compressed").isEqualTo(16);
        byte[] after = text(4000, 94);
        Object[] compressed = send(pair, after);
        assertThat((byte[]) compressed[1]).isEqualTo(after);
        assertThat((int) compressed[0]).isLessThan(400);
        pair[0].finishAndReleaseAll();
        pair[1].finishAndReleaseAll();
    }

    @Test
    void aCompressedPayloadInflatingPastThePacketLimitShouldBeACompressionError() {
        EmbeddedChannel[] pair = serverToClient(PacketCompression.ZLIB);
        byte[] bomb = new byte[PacketDecoder.MAX_PACKET_LENGTH + 1];
        bomb[0] = 94;
        pair[0].writeOutbound(Unpooled.wrappedBuffer(bomb));
        ByteBuf wire = pair[0].readOutbound();
        assertThat(wire.readableBytes()).isLessThan(1024);
        assertThatThrownBy(() -> pair[1].writeInbound(wire))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DisconnectReason.COMPRESSION_ERROR);
                    assertThat(e.getMessage()).contains("inflates past 262144 bytes");
                });
        pair[0].finishAndReleaseAll();
        pair[1].finishAndReleaseAll();
    }

    @Test
    void aPayloadOfExactlyThePacketLimitShouldStillInflate() {
        EmbeddedChannel[] pair = serverToClient(PacketCompression.ZLIB);
        byte[] big = new byte[PacketDecoder.MAX_PACKET_LENGTH];
        big[0] = 94;
        assertThat((byte[]) send(pair, big)[1]).isEqualTo(big);
        pair[0].finishAndReleaseAll();
        pair[1].finishAndReleaseAll();
    }

    @Test
    void corruptCompressedDataShouldBeACompressionError() {
        EmbeddedChannel decoder = new EmbeddedChannel(new PacketDecoder(new PacketCompression(Role.CLIENT)));
        ((PacketDecoder) decoder.pipeline().first()).newKeys(
                Ciphers.none().opener(new byte[0], new byte[0]), false,
                PacketCompression.ZLIB);
        // packet_length 12, padding 4, 7 bytes that are not a zlib stream.
        ByteBuf wire = Unpooled.buffer().writeInt(12).writeByte(4).writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7})
                .writeZero(4);
        assertThatThrownBy(() -> decoder.writeInbound(wire))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOfSatisfying(SshException.class,
                        e -> assertThat(e.reason()).isEqualTo(DisconnectReason.COMPRESSION_ERROR));
        decoder.finishAndReleaseAll();
    }

    /** Each packet is sync-flushed: a plain zlib inflater fed the wire payloads one by one yields each at once. */
    @Property(tries = 30)
    void everyPacketShouldBeInflatableOnArrival(@ForAll @IntRange(min = 1, max = 5) int packets,
            @ForAll @IntRange(min = 1, max = 20000) int size, @ForAll long seed) throws Exception {
        EmbeddedChannel encoder = new EmbeddedChannel(new PacketEncoder(new PacketCompression(Role.CLIENT)));
        ((PacketEncoder) encoder.pipeline().first()).newKeys(
                Ciphers.none().sealer(new byte[0], new byte[0]), false,
                PacketCompression.ZLIB);
        Inflater inflater = new Inflater();
        Random random = new Random(seed);
        try {
            for (int i = 0; i < packets; i++) {
                byte[] payload = new byte[size];
                // Half random, half repeated: both stored and compressed blocks.
                random.nextBytes(payload);
                Arrays.fill(payload, size / 2, size, (byte) 'x');
                encoder.writeOutbound(Unpooled.wrappedBuffer(payload));
                ByteBuf wire = encoder.readOutbound();
                int padding = wire.getUnsignedByte(4);
                byte[] compressed = new byte[wire.getInt(0) - 1 - padding];
                wire.getBytes(5, compressed);
                wire.release();
                inflater.setInput(compressed);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = inflater.inflate(buf)) > 0) {
                    out.write(buf, 0, n);
                }
                assertThat(out.toByteArray()).isEqualTo(payload);
            }
        } finally {
            inflater.end();
            encoder.finishAndReleaseAll();
        }
    }
}
