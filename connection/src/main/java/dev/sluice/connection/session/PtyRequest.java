package dev.sluice.connection.session;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * The data of a {@code pty-req} channel request, RFC 4254 section 6.2.
 *
 * @param term the TERM environment value, e.g. {@code xterm-256color}
 * @param columns terminal width in characters
 * @param rows terminal height in rows
 * @param widthPixels width in pixels (0 when unknown)
 * @param heightPixels height in pixels (0 when unknown)
 * @param modes the encoded terminal modes (section 8), ending with TTY_OP_END (0)
 */
public record PtyRequest(String term, int columns, int rows, int widthPixels, int heightPixels, byte[] modes) {
    /** Terminal modes with no entries: just TTY_OP_END. */
    public static final byte[] NO_MODES = {0};

    public PtyRequest {
        Objects.requireNonNull(term);
        modes = modes.clone();
    }

    @Override
    public byte[] modes() {
        return modes.clone();
    }

    /** The request's type-specific data. */
    public byte[] encode() {
        return SshWriter.heap().writeUtf8(term).writeUint32(columns).writeUint32(rows).writeUint32(widthPixels)
                .writeUint32(heightPixels).writeBytes(modes).toByteArray();
    }

    /** Reads a pty-req's type-specific data, which must end exactly after the modes. */
    public static PtyRequest decode(byte[] data) {
        SshReader r = SshReader.of(data);
        PtyRequest p = new PtyRequest(r.readUtf8(), r.readUint32(), r.readUint32(), r.readUint32(), r.readUint32(),
                r.readBytes());
        r.ensureEnd("pty-req");
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PtyRequest p && p.term.equals(term) && p.columns == columns && p.rows == rows
                && p.widthPixels == widthPixels && p.heightPixels == heightPixels && Arrays.equals(p.modes, modes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, columns, rows, widthPixels, heightPixels) * 31 + Arrays.hashCode(modes);
    }

    @Override
    public String toString() {
        return "PtyRequest[" + term + " " + columns + "x" + rows + "]";
    }
}
