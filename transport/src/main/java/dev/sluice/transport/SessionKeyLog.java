package dev.sluice.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes session secrets in the key log format of Wireshark's SSH dissector ({@code ssh.keylog_file}), so a capture
 * of a Sluice connection can be decrypted: one line per key exchange, {@code <cookie> <private key>}, both in hex,
 * where the cookie is the 16-byte KEXINIT cookie of the side that logs and the private key is that side's ephemeral
 * key exchange key (the X25519 scalar). The dissector finds the line by either side's cookie, recomputes the shared
 * secret from the other side's public key and derives the session keys itself. Newer Wireshark versions read these
 * two-field lines as {@code PRIVATE_KEY} entries.
 *
 * <p>Lines are appended under a lock, so several connections may share one file; a new file is created readable by
 * its owner only. A failure to write is logged and does not affect the connection.
 */
final class SessionKeyLog {
    private static final Logger LOG = LoggerFactory.getLogger(SessionKeyLog.class);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Object LOCK = new Object();

    private SessionKeyLog() {
    }

    /** Appends the line for one exchange to {@code file}; the caller zeroes {@code privateKey} afterwards. */
    static void append(Path file, byte[] cookie, byte[] privateKey) {
        byte[] line = new byte[2 * cookie.length + 1 + 2 * privateKey.length + 1];
        int i = hex(cookie, line, 0);
        line[i++] = ' ';
        i = hex(privateKey, line, i);
        line[i] = '\n';
        try {
            synchronized (LOCK) {
                try (FileChannel out = open(file)) {
                    ByteBuffer buf = ByteBuffer.wrap(line);
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Cannot write SSH key log {}: {}", file, e.toString());
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        try {
            return FileChannel.open(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the platform's default permissions.
            return FileChannel.open(file, options);
        }
    }

    private static int hex(byte[] bytes, byte[] out, int at) {
        for (byte b : bytes) {
            out[at++] = HEX[(b >> 4) & 0xf];
            out[at++] = HEX[b & 0xf];
        }
        return at;
    }
}
