package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.PacketOpener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of the binary packet protocol, RFC 4253 section 6: frames, decrypts and verifies packets and
 * passes each payload on as a retained slice (the next handler owns and releases it).
 *
 * <p>Emits one payload per {@link #decode} call, so that a NEWKEYS payload reaches the key exchange handler, which
 * swaps the {@link PacketOpener}, before the next packet is decrypted. With compression on
 * ({@link PacketCompression}) the payload is inflated into a new buffer instead. Confined to the event loop.
 *
 * <h3>Limits</h3>
 * A packet_length over {@value #MAX_PACKET_LENGTH} (OpenSSH's PACKET_MAX_SIZE, 256 KiB) is refused before anything is
 * buffered, so a peer cannot make us hold more than one maximal packet.
 */
final class PacketDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(PacketDecoder.class);
    static final int MAX_PACKET_LENGTH = 256 * 1024;

    private final PacketCompression compression;
    private PacketOpener opener = Ciphers.none().opener(new byte[0], new byte[0]);
    private int sequence;
    private int packetLength = -1;
    private long bytesSinceRekey;
    /** Every packet byte received on this connection, for ssh's "Transferred:" line. */
    private long bytesTotal;
    private boolean failed;

    /** A decoder that never decompresses (for tests of framing and ciphers). */
    PacketDecoder() {
        this(new PacketCompression(Role.CLIENT));
    }

    /** A decoder decompressing as {@code compression}, which it shares with its pipeline's encoder. */
    PacketDecoder(PacketCompression compression) {
        this.compression = compression;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodePacket(ctx, in, out);
        } catch (RuntimeException e) {
            // The stream is out of step after a bad packet; drop the rest while the connection closes.
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodePacket(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (packetLength < 0) {
            if (in.readableBytes() < opener.lengthFieldSize()) {
                return;
            }
            int len = opener.packetLength(sequence, in);
            if (len < 5 || len > MAX_PACKET_LENGTH) {
                throw SshException.disconnect(PROTOCOL_ERROR, "Bad packet length %d.", Integer.toUnsignedLong(len));
            }
            if ((len + 4 - opener.aadLength()) % opener.blockSize() != 0) {
                throw SshException.disconnect(PROTOCOL_ERROR, "padding error: need %d block %d mod %d",
                        len, opener.blockSize(), (len + 4 - opener.aadLength()) % opener.blockSize());
            }
            packetLength = len;
        }
        int total = 4 + packetLength + opener.tagLength();
        if (in.readableBytes() < total) {
            return;
        }
        ByteBuf packet = in.readRetainedSlice(total);
        try {
            opener.open(sequence, packet);
            sequence++;
            bytesSinceRekey += total;
            bytesTotal += total;
            int padding = packet.getUnsignedByte(packet.readerIndex() + 4);
            int payloadLength = packetLength - 1 - padding;
            if (padding < 4 || payloadLength < 1) {
                throw SshException.disconnect(PROTOCOL_ERROR, "invalid padding length %d in packet of %d bytes",
                        padding, packetLength);
            }
            int start = packet.readerIndex() + 5;
            ByteBuf payload;
            if (compression.decompressing()) {
                byte[] plain = compression.decompress(packet.nioBuffer(start, payloadLength));
                int n = compression.resultLength();
                if (n < 1) {
                    throw SshException.disconnect(PROTOCOL_ERROR, "empty payload after decompression");
                }
                payload = ctx.alloc().buffer(n).writeBytes(plain, 0, n);
            } else {
                payload = packet.retainedSlice(start, payloadLength);
            }
            compression.received(payload.getUnsignedByte(payload.readerIndex()));
            out.add(payload);
        } finally {
            packet.release();
            packetLength = -1;
        }
    }

    /** The sequence number of the packet most recently passed on (for SSH_MSG_UNIMPLEMENTED). */
    int lastSequence() {
        return sequence - 1;
    }

    /**
     * Installs the keys and compression that NEWKEYS announced for the inbound direction; strict KEX also restarts
     * the count.
     */
    void newKeys(PacketOpener next, boolean resetSequence, String compressionName) {
        newKeys(next, resetSequence);
        compression.newInbound(compressionName);
    }

    /** Installs the keys that NEWKEYS announced for the inbound direction; strict KEX also restarts the count. */
    void newKeys(PacketOpener next, boolean resetSequence) {
        opener.destroy();
        opener = next;
        bytesSinceRekey = 0;
        if (resetSequence) {
            LOG.debug("ssh_packet_read_poll2: resetting read seqnr {}", Integer.toUnsignedLong(sequence));
            sequence = 0;
        }
    }

    /** Packet bytes received since the connection began. */
    long bytesTotal() {
        return bytesTotal;
    }

    /** Bytes received under the current keys, for the rekey limit. */
    long bytesSinceRekey() {
        return bytesSinceRekey;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        opener.destroy();
        compression.destroy();
    }
}
