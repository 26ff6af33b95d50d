package dev.sluice.transport;

import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.PacketSealer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import dev.sluice.transport.message.DirectPayload;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending half of the binary packet protocol, RFC 4253 section 6: takes payload buffers or
 * {@link DirectPayload}s (ownership passes to it),
 * frames them with length and random padding into one new buffer, seals it with the current {@link PacketSealer}
 * and writes that on. Anything other than a ByteBuf passes through untouched.
 *
 * <p>Each write is encoded at once, in write order, so swapping the sealer right after writing NEWKEYS is exact.
 * Confined to the event loop. The payload is copied once, into the packet buffer the cipher then works on in place;
 * with compression on ({@link PacketCompression}) it is compressed first.
 */
final class PacketEncoder extends ChannelOutboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PacketEncoder.class);
    private final PacketCompression compression;
    private PacketSealer sealer = Ciphers.none().sealer(new byte[0], new byte[0]);
    private int sequence;
    private long bytesSinceRekey;
    /** Every packet byte sent on this connection, for ssh's "Transferred:" line. */
    private long bytesTotal;

    /** An encoder that never compresses (for tests of framing and ciphers). */
    PacketEncoder() {
        this(new PacketCompression(Role.CLIENT));
    }

    /** An encoder compressing as {@code compression}, which it shares with its pipeline's decoder. */
    PacketEncoder(PacketCompression compression) {
        this.compression = compression;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf) && !(msg instanceof DirectPayload)) {
            ctx.write(msg, promise);
            return;
        }
        ReferenceCounted payload = (ReferenceCounted) msg;
        ByteBuf packet = null;
        try {
            int id = msg instanceof ByteBuf ? ((ByteBuf) msg).getUnsignedByte(((ByteBuf) msg).readerIndex())
                    : ((DirectPayload) msg).payloadId();
            byte[] compressed = compression.compressing() ? compress(ctx, msg) : null;
            int payloadLength = compressed != null ? compression.resultLength()
                    : msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes()
                    : ((DirectPayload) msg).payloadLength();
            int block = sealer.blockSize();
            int aligned = 5 + payloadLength - sealer.aadLength();
            int padding = block - (aligned % block);
            if (padding < 4) {
                padding += block;
            }
            int packetLength = 1 + payloadLength + padding;
            int total = 4 + packetLength + sealer.tagLength();
            // A heap packet: the ciphers work fastest in place on an array, and the socket's copy to direct memory
            // is the one copy a direct packet would need too (see the cipher benchmark).
            packet = ctx.alloc().heapBuffer(total);
            packet.writeInt(packetLength);
            packet.writeByte(padding);
            if (compressed != null) {
                packet.writeBytes(compressed, 0, payloadLength);
            } else if (msg instanceof ByteBuf) {
                ByteBuf b = (ByteBuf) msg;
                packet.writeBytes(b, b.readerIndex(), payloadLength);
            } else {
                ((DirectPayload) msg).writePayload(packet);
            }
            writePadding(packet, padding);
            sealer.seal(sequence++, packet);
            bytesSinceRekey += total;
            bytesTotal += total;
            compression.sent(id);
        } catch (Throwable t) {
            ReferenceCountUtil.safeRelease(packet);
            promise.setFailure(t);
            return;
        } finally {
            payload.release();
        }
        ctx.write(packet, promise);
    }

    /** The payload compressed (see {@link PacketCompression#compress}); a direct payload is first written out. */
    private byte[] compress(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf b = (ByteBuf) msg;
            return compression.compress(b.nioBuffer(b.readerIndex(), b.readableBytes()));
        }
        DirectPayload direct = (DirectPayload) msg;
        ByteBuf plain = ctx.alloc().heapBuffer(direct.payloadLength());
        try {
            direct.writePayload(plain);
            return compression.compress(plain.nioBuffer());
        } finally {
            plain.release();
        }
    }

    private static void writePadding(ByteBuf packet, int padding) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = 0;
        for (; i + 8 <= padding; i += 8) {
            packet.writeLong(random.nextLong());
        }
        for (; i < padding; i++) {
            packet.writeByte(random.nextInt());
        }
    }

    /**
     * Installs the keys and compression for the outbound direction right after NEWKEYS was written; strict KEX
     * restarts the count.
     */
    void newKeys(PacketSealer next, boolean resetSequence, String compressionName) {
        newKeys(next, resetSequence);
        compression.newOutbound(compressionName);
    }

    /** Installs the keys for the outbound direction right after NEWKEYS was written; strict KEX restarts the count. */
    void newKeys(PacketSealer next, boolean resetSequence) {
        sealer.destroy();
        sealer = next;
        bytesSinceRekey = 0;
        if (resetSequence) {
            LOG.debug("ssh_packet_send2_wrapped: resetting send seqnr {}", Integer.toUnsignedLong(sequence));
            sequence = 0;
        }
    }

    /** Packet bytes sent since the connection began. */
    long bytesTotal() {
        return bytesTotal;
    }

    /** Bytes sent under the current keys, for the rekey limit. */
    long bytesSinceRekey() {
        return bytesSinceRekey;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        sealer.destroy();
        compression.destroy();
    }
}
