package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.COMPRESSION_ERROR;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Payload compression of both directions of one connection (RFC 4253 section 6.2): {@code none}, {@code zlib}, and
 * OpenSSH's delayed {@code zlib@openssh.com} (draft-miller-secsh-compression-delayed), which starts only once
 * authentication has succeeded: for the server right after it sends USERAUTH_SUCCESS, for the client right after it
 * receives it, in both directions at once, as OpenSSH does.
 *
 * <p>Each direction is one zlib stream, restarted at every NEWKEYS as OpenSSH restarts it; each packet's payload is
 * compressed and flushed with {@code Z_SYNC_FLUSH}, so it can be inflated on its own arrival. Shared by the
 * {@link PacketEncoder} and {@link PacketDecoder} of one pipeline; confined to its event loop.
 *
 * <h3>Limits</h3>
 * An inflated payload may not exceed {@value PacketDecoder#MAX_PACKET_LENGTH} bytes (the packet limit), so a small
 * packet cannot make us hold a large one (a decompression bomb); beyond it the connection is dropped with
 * COMPRESSION_ERROR.
 */
final class PacketCompression {
    static final String NONE = "none";
    static final String ZLIB = "zlib";
    static final String DELAYED = "zlib@openssh.com";
    /** The names Sluice implements. */
    static final List<String> NAMES = List.of(NONE, DELAYED, ZLIB);
    /** zlib's default level; OpenSSH uses 6 too. */
    private static final int LEVEL = 6;
    private static final int USERAUTH_SUCCESS = 52;

    private final Role role;
    private boolean authenticated;
    private String outName = NONE;
    private String inName = NONE;
    private Deflater deflater;
    private Inflater inflater;
    private byte[] scratch = new byte[0];
    /** Length of the last {@link #compress} or {@link #decompress} result. */
    private int resultLength;

    PacketCompression(Role role) {
        this.role = role;
    }

    /** Switches the outbound direction to {@code name} from the next packet on (after our NEWKEYS). */
    void newOutbound(String name) {
        outName = name;
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
        if (starts(name)) {
            deflater = new Deflater(LEVEL);
        }
    }

    /** Switches the inbound direction to {@code name} from the next packet on (after the peer's NEWKEYS). */
    void newInbound(String name) {
        inName = name;
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        if (starts(name)) {
            inflater = new Inflater();
        }
    }

    private boolean starts(String name) {
        return ZLIB.equals(name) || (DELAYED.equals(name) && authenticated);
    }

    /** The encoder has sent a payload with message number {@code id}. */
    void sent(int id) {
        if (id == USERAUTH_SUCCESS && role == Role.SERVER) {
            authenticated();
        }
    }

    /** The decoder has received a payload with message number {@code id}. */
    void received(int id) {
        if (id == USERAUTH_SUCCESS && role == Role.CLIENT) {
            authenticated();
        }
    }

    private void authenticated() {
        if (authenticated) {
            return;
        }
        authenticated = true;
        if (deflater == null && DELAYED.equals(outName)) {
            deflater = new Deflater(LEVEL);
        }
        if (inflater == null && DELAYED.equals(inName)) {
            inflater = new Inflater();
        }
    }

    boolean compressing() {
        return deflater != null;
    }

    boolean decompressing() {
        return inflater != null;
    }

    /**
     * Compresses the remaining bytes of {@code payload} and sync-flushes, returning the array that holds the result
     * from index 0 (valid until the next call) with its length in {@link #resultLength()}.
     */
    byte[] compress(ByteBuffer payload) {
        int len = payload.remaining();
        deflater.setInput(payload);
        // zlib's worst case for stored blocks plus the sync-flush marker, so one call nearly always suffices.
        int pos = 0;
        ensureScratch(len + len / 1000 + 64);
        while (true) {
            int n = deflater.deflate(scratch, pos, scratch.length - pos, Deflater.SYNC_FLUSH);
            pos += n;
            if (pos < scratch.length) {
                break;
            }
            grow(scratch.length * 2);
        }
        resultLength = pos;
        return scratch;
    }

    /**
     * Inflates one packet's compressed payload (the remaining bytes of {@code in}), returning the array holding it
     * from index 0 (valid until the next call) with its length in {@link #resultLength()}.
     *
     * @throws SshException COMPRESSION_ERROR on corrupt data or a payload inflating past the packet limit
     */
    byte[] decompress(ByteBuffer in) {
        int len = in.remaining();
        inflater.setInput(in);
        // One byte past the limit is room enough to notice a payload that exceeds it.
        int cap = PacketDecoder.MAX_PACKET_LENGTH + 1;
        ensureScratch(Math.min(cap, Math.max(4 * len, 1024)));
        int pos = 0;
        try {
            while (true) {
                int room = Math.min(scratch.length, cap) - pos;
                if (room == 0) {
                    if (pos == cap) {
                        throw SshException.disconnect(COMPRESSION_ERROR,
                                "compressed payload inflates past %d bytes", cap - 1);
                    }
                    grow(Math.min(cap, scratch.length * 2));
                    continue;
                }
                int n = inflater.inflate(scratch, pos, room);
                pos += n;
                if (n == 0) {
                    if (inflater.needsDictionary() || inflater.finished()) {
                        throw SshException.disconnect(COMPRESSION_ERROR, "unexpected end of compressed stream");
                    }
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw SshException.disconnect(COMPRESSION_ERROR, "Compressed input error: %s", e.getMessage());
        }
        resultLength = pos;
        return scratch;
    }

    int resultLength() {
        return resultLength;
    }

    private void ensureScratch(int size) {
        if (scratch.length < size) {
            Arrays.fill(scratch, (byte) 0);
            scratch = new byte[size];
        }
    }

    /** A larger scratch array with the old content; the old array, which held plaintext, is zeroed. */
    private void grow(int size) {
        byte[] old = scratch;
        scratch = Arrays.copyOf(old, size);
        Arrays.fill(old, (byte) 0);
    }

    /** Ends both zlib streams and zeroes the scratch array, which held plaintext. */
    void destroy() {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        Arrays.fill(scratch, (byte) 0);
    }
}
