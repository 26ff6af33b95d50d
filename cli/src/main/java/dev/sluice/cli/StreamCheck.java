package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Moves a deterministic pseudo-random byte stream over a socket while reading the other direction, hashing both with
 * SHA-256: the demo's proof that what went into the tunnel came out intact, in order, in both directions at once.
 */
final class StreamCheck {
    private static final int BLOCK = 256 * 1024;

    /** What one side sent and received. */
    record Result(long sent, String sentSha256, long received, String receivedSha256, long nanos) {
    }

    private StreamCheck() {
    }

    /**
     * Sends {@code bytes} of the stream seeded by {@code seed}, half-closes, and reads until the peer's EOF; both at
     * once, on this thread and one helper thread.
     */
    static Result exchange(Socket socket, long bytes, long seed) throws IOException, InterruptedException {
        long start = System.nanoTime();
        MessageDigest readDigest = sha256();
        long[] received = new long[1];
        IOException[] readError = new IOException[1];
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[BLOCK];
            try {
                // Not closed here: closing a socket stream closes the socket, and the writer may still be busy.
                InputStream in = socket.getInputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    readDigest.update(buf, 0, n);
                    received[0] += n;
                }
            } catch (IOException e) {
                readError[0] = e;
            }
        }, "stream-check-reader");
        reader.start();
        MessageDigest writeDigest = sha256();
        OutputStream out = socket.getOutputStream();
        byte[] block = new byte[BLOCK];
        new SplittableRandom(seed).nextBytes(block);
        long left = bytes;
        long index = 0;
        while (left > 0) {
            // Stamp each block with its index so that a lost or repeated block changes the hash.
            for (int i = 0; i < 8; i++) {
                block[i] = (byte) (index >>> (8 * i));
            }
            index++;
            int n = (int) Math.min(left, BLOCK);
            writeDigest.update(block, 0, n);
            out.write(block, 0, n);
            left -= n;
        }
        out.flush();
        socket.shutdownOutput();
        reader.join();
        if (readError[0] != null) {
            throw readError[0];
        }
        HexFormat hex = HexFormat.of();
        return new Result(bytes, hex.formatHex(writeDigest.digest()), received[0],
                hex.formatHex(readDigest.digest()), System.nanoTime() - start);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
