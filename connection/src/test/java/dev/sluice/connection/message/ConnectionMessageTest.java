package dev.sluice.connection.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ConnectionMessageTest {

    @Property
    void everyMessageSurvivesEncodeThenDecode(@ForAll("messages") ConnectionMessage m) {
        ByteBuf wire = m.toPayload(PooledByteBufAllocator.DEFAULT);
        ConnectionMessage back = null;
        try {
            assertThat(wire.getByte(0)).isEqualTo(m.messageId());
            back = ConnectionMessage.decode(wire);
            assertThat(back).isEqualTo(m);
            assertThat(wire.isReadable()).isFalse();
        } finally {
            wire.release();
            ReferenceCountUtil.release(back);
            ReferenceCountUtil.release(m);
        }
    }

    @Property
    void aTrailingByteIsAProtocolError(@ForAll("fixedLengthMessages") ConnectionMessage m) {
        ByteBuf wire = m.toPayload(PooledByteBufAllocator.DEFAULT).writeByte(0);
        try {
            assertThatThrownBy(() -> ConnectionMessage.decode(wire)).isInstanceOf(SshException.class)
                    .satisfies(e -> assertThat(((SshException) e).reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR));
        } finally {
            wire.release();
            ReferenceCountUtil.release(m);
        }
    }

    @Property
    void aTruncatedMessageIsAProtocolError(@ForAll("fixedLengthMessages") ConnectionMessage m) {
        ByteBuf wire = m.toPayload(PooledByteBufAllocator.DEFAULT);
        try {
            ByteBuf cut = wire.slice(0, wire.readableBytes() - 1);
            assertThatThrownBy(() -> ConnectionMessage.decode(cut)).isInstanceOf(SshException.class);
        } finally {
            wire.release();
            ReferenceCountUtil.release(m);
        }
    }

    @Property(tries = 2000)
    void randomBytesDecodeOrFailWithSshExceptionOnlyAndLeakNothing(@ForAll @Size(max = 64) byte[] body,
            @ForAll("ids") byte id) {
        ByteBuf wire = PooledByteBufAllocator.DEFAULT.buffer(body.length + 1).writeByte(id).writeBytes(body);
        try {
            ConnectionMessage m = ConnectionMessage.decode(wire);
            ReferenceCountUtil.release(m);
        } catch (SshException expected) {
            assertThat(expected.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        } finally {
            assertThat(wire.refCnt()).isEqualTo(1);
            wire.release();
        }
    }

    @Test
    void channelDataKnownAnswerAndSliceSharesThePayload() {
        ByteBuf wire = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("5e0000000700000003616263"));
        ChannelData d = (ChannelData) ConnectionMessage.decode(wire);
        assertThat(d.recipientChannel()).isEqualTo(7);
        assertThat(d.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(wire.refCnt()).isEqualTo(2); // a retained slice, not a copy
        d.release();
        assertThat(wire.release()).isTrue();
    }

    @Test
    void dataWritesItsWholePayloadStraightIntoThePacketBuffer() {
        ByteBuf src = Unpooled.copiedBuffer("xxhelloyy", StandardCharsets.US_ASCII);
        ChannelData d = new ChannelData(0x01020304, src.retainedSlice(2, 5));
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            d.writePayload(out);
            assertThat(d.payloadId()).isEqualTo(ChannelData.ID);
            assertThat(d.payloadLength()).isEqualTo(out.readableBytes());
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo("5e01020304" + "00000005" + "68656c6c6f");
            assertThat(src.readerIndex()).isZero();
        } finally {
            out.release();
            d.release();
            src.release();
        }
    }

    @Test
    void directTcpipKnownAnswerAndStrictEnd() {
        DirectTcpip d = new DirectTcpip("h", 80, "o", 1);
        assertThat(ByteBufUtil.hexDump(d.encode()))
                .isEqualTo("00000001" + "68" + "00000050" + "00000001" + "6f" + "00000001");
        byte[] longer = ByteBufUtil.decodeHexDump("000000016800000050000000016f0000000100");
        assertThatThrownBy(() -> DirectTcpip.decode(longer)).isInstanceOf(SshException.class);
    }

    @Property
    void directTcpipSurvivesEncodeThenDecode(@ForAll("text") String host, @ForAll int port,
            @ForAll("text") String origin, @ForAll int originPort) {
        DirectTcpip d = new DirectTcpip(host, port, origin, originPort);
        assertThat(DirectTcpip.decode(d.encode())).isEqualTo(d);
    }

    @Test
    void openFailureReasonsHaveOpenSshWords() {
        assertThat(OpenFailureReason.textOf(1)).isEqualTo("administratively prohibited");
        assertThat(OpenFailureReason.textOf(2)).isEqualTo("connect failed");
        assertThat(OpenFailureReason.textOf(3)).isEqualTo("unknown channel type");
        assertThat(OpenFailureReason.textOf(4)).isEqualTo("resource shortage");
        assertThat(OpenFailureReason.textOf(99)).isEqualTo("unknown reason");
    }

    @Provide
    Arbitrary<Byte> ids() {
        return Arbitraries.bytes().between((byte) 78, (byte) 102);
    }

    @Provide
    Arbitrary<String> text() {
        // Valid UTF-8 text (unpaired surrogates cannot round-trip through UTF-8 by definition).
        return Arbitraries.strings().all().excludeChars(surrogates()).ofMaxLength(20);
    }

    private static char[] surrogates() {
        char[] s = new char[0xE000 - 0xD800];
        for (int i = 0; i < s.length; i++) {
            s[i] = (char) (0xD800 + i);
        }
        return s;
    }

    @Provide
    Arbitrary<ConnectionMessage> messages() {
        return Arbitraries.oneOf(fixedLengthMessages(), rawTailMessages());
    }

    /** Messages whose last field has a length, so that an extra or a missing byte must be noticed. */
    @Provide
    Arbitrary<ConnectionMessage> fixedLengthMessages() {
        Arbitrary<Integer> u32 = Arbitraries.integers();
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        return Arbitraries.oneOf(
                Arbitraries.just(RequestFailure.INSTANCE),
                Combinators.combine(u32, u32, text(), text()).as(ChannelOpenFailure::new),
                Combinators.combine(u32, u32).as(ChannelWindowAdjust::new),
                Combinators.combine(u32, bytes).as((r, b) -> new ChannelData(r, Unpooled.wrappedBuffer(b))),
                Combinators.combine(u32, u32, bytes)
                        .as((r, t, b) -> new ChannelExtendedData(r, t, Unpooled.wrappedBuffer(b))),
                u32.map(ChannelEof::new),
                u32.map(ChannelClose::new),
                u32.map(ChannelSuccess::new),
                u32.map(ChannelFailure::new));
    }

    /** Messages that end in a raw type-specific tail, which takes whatever follows. */
    Arbitrary<ConnectionMessage> rawTailMessages() {
        Arbitrary<Integer> u32 = Arbitraries.integers();
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        return Arbitraries.oneOf(
                Combinators.combine(text(), Arbitraries.of(true, false), bytes).as(GlobalRequest::new),
                bytes.map(RequestSuccess::new),
                Combinators.combine(text(), u32, u32, u32, bytes).as(ChannelOpen::new),
                Combinators.combine(u32, u32, u32, u32, bytes).as(ChannelOpenConfirmation::new),
                Combinators.combine(u32, text(), Arbitraries.of(true, false), bytes).as(ChannelRequest::new));
    }
}
