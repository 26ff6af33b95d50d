package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.PacketOpener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of the binary packet protocol, RFC 4253 section 6: frames, decrypts and verifies packets and
 * passes each payload on as a buffer the next handler owns and releases.
 *
 * <h3>One copy</h3>
 * Each packet is assembled in a heap buffer of exactly its size, straight from the socket's read buffers (which are
 * released as soon as they are copied), and decrypted in place there; the payload passed on is that same buffer with
 * its indices narrowed. So a received byte is copied once before the cipher runs, whatever the packet boundaries in
 * the TCP stream, and no read buffer stays referenced by payloads still in flight downstream (a
 * {@code ByteToMessageDecoder} cumulation, pinned by payload slices, had to be copied again on most reads). Array
 * code is also the fast path of the JDK's AES-GCM on JDK 25 (see {@code GcmKeys.COPY_DIRECT}) and of ChaCha20.
 *
 * <p>Payloads are passed on one at a time, as each packet completes, so that a NEWKEYS payload reaches the key
 * exchange handler, which swaps the {@link PacketOpener}, before the next packet is decrypted. With compression on
 * ({@link PacketCompression}) the payload is inflated into a new buffer instead. Confined to the event loop.
 *
 * <h3>Limits</h3>
 * A packet_length over {@value #MAX_PACKET_LENGTH} (OpenSSH's PACKET_MAX_SIZE, 256 KiB) is refused before anything is
 * buffered, so a peer cannot make us hold more than one maximal packet.
 */
final class PacketDecoder extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PacketDecoder.class);
    static final int MAX_PACKET_LENGTH = 256 * 1024;
    /** The most any opener needs to read the length: one cipher block. */
    private static final int MAX_LENGTH_FIELD = 16;

    private final PacketCompression compression;
    private PacketOpener opener = Ciphers.none().opener(new byte[0], new byte[0]);
    private int sequence;
    private long bytesSinceRekey;
    /** Every packet byte received on this connection, for ssh's "Transferred:" line. */
    private long bytesTotal;
    private boolean failed;
    /** The start of the next packet, until it holds {@link PacketOpener#lengthFieldSize()} bytes. */
    private final byte[] head = new byte[MAX_LENGTH_FIELD];
    private final ByteBuf headView = Unpooled.wrappedBuffer(head);
    private int headLength;
    /** The packet being received, once its length is known; null between packets. */
    private ByteBuf packet;
    private int packetTotal;
    private ChannelHandlerContext ctx;

    /** A decoder that never decompresses (for tests of framing and ciphers). */
    PacketDecoder() {
        this(new PacketCompression(Role.CLIENT));
    }

    /** A decoder decompressing as {@code compression}, which it shares with its pipeline's encoder. */
    PacketDecoder(PacketCompression compression) {
        this.compression = compression;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && !failed) {
                ByteBuf payload = take(in);
                if (payload != null) {
                    ctx.fireChannelRead(payload);
                }
            }
        } catch (RuntimeException e) {
            // The stream is out of step after a bad packet; drop the rest while the connection closes.
            failed = true;
            discardPacket();
            throw e instanceof DecoderException ? e : new DecoderException(e);
        } finally {
            in.release();
        }
    }

    /** Moves bytes of {@code in} into the packet being assembled; returns its payload once it is complete. */
    private ByteBuf take(ByteBuf in) {
        if (packet == null) {
            int need = opener.lengthFieldSize();
            int n = Math.min(need - headLength, in.readableBytes());
            in.readBytes(head, headLength, n);
            headLength += n;
            if (headLength < need) {
                return null;
            }
            startPacket();
        }
        int n = Math.min(packetTotal - packet.writerIndex(), in.readableBytes());
        packet.writeBytes(in, n);
        if (packet.writerIndex() < packetTotal) {
            return null;
        }
        ByteBuf complete = packet;
        packet = null;
        return open(complete);
    }

    /** The length field is in {@link #head}: checks it and allocates the packet's buffer, holding the head. */
    private void startPacket() {
        int len = opener.packetLength(sequence, headView.setIndex(0, headLength));
        if (len < 5 || len > MAX_PACKET_LENGTH) {
            throw SshException.disconnect(PROTOCOL_ERROR, "Bad packet length %d.", Integer.toUnsignedLong(len));
        }
        if ((len + 4 - opener.aadLength()) % opener.blockSize() != 0) {
            throw SshException.disconnect(PROTOCOL_ERROR, "padding error: need %d block %d mod %d",
                    len, opener.blockSize(), (len + 4 - opener.aadLength()) % opener.blockSize());
        }
        packetTotal = 4 + len + opener.tagLength();
        packet = ctx.alloc().heapBuffer(packetTotal, packetTotal);
        packet.writeBytes(head, 0, headLength);
        headLength = 0;
    }

    /** Verifies and decrypts a complete packet in place; returns its payload, taking ownership of {@code p}. */
    private ByteBuf open(ByteBuf p) {
        boolean passedOn = false;
        try {
            opener.open(sequence, p);
            sequence++;
            bytesSinceRekey += packetTotal;
            bytesTotal += packetTotal;
            int packetLength = packetTotal - 4 - opener.tagLength();
            int padding = p.getUnsignedByte(4);
            int payloadLength = packetLength - 1 - padding;
            if (padding < 4 || payloadLength < 1) {
                throw SshException.disconnect(PROTOCOL_ERROR, "invalid padding length %d in packet of %d bytes",
                        padding, packetLength);
            }
            ByteBuf payload;
            if (compression.decompressing()) {
                byte[] plain = compression.decompress(p.nioBuffer(5, payloadLength));
                int n = compression.resultLength();
                if (n < 1) {
                    throw SshException.disconnect(PROTOCOL_ERROR, "empty payload after decompression");
                }
                payload = ctx.alloc().buffer(n).writeBytes(plain, 0, n);
            } else {
                payload = p.setIndex(5, 5 + payloadLength);
                passedOn = true;
            }
            compression.received(payload.getUnsignedByte(payload.readerIndex()));
            return payload;
        } finally {
            if (!passedOn) {
                p.release();
            }
        }
    }

    private void discardPacket() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
        headLength = 0;
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
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardPacket();
        opener.destroy();
        compression.destroy();
    }
}
