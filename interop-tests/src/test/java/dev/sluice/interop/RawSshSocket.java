package dev.sluice.interop;

import dev.sluice.interop.harness.TcpPorts;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A plain socket that speaks just enough SSH to misbehave before key exchange: it reads the server's identification
 * line and its unencrypted packets (RFC 4253 section 6 with the "none" cipher: length, padding length, payload,
 * padding, no MAC), and writes whatever bytes a test gives it. Blocking, with a read timeout on every call, so a
 * server that neither answers nor closes fails the test by name.
 */
final class RawSshSocket implements AutoCloseable {
    /** SSH_MSG_DISCONNECT. */
    static final int DISCONNECT = 1;
    /** SSH_MSG_KEXINIT. */
    static final int KEXINIT = 20;
    /** More than any packet a server may send us before key exchange; OpenSSH's PACKET_MAX_SIZE. */
    private static final int MAX_PACKET = 256 * 1024;

    private final Socket socket;
    private final DataInputStream in;

    private RawSshSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects to {@code 127.0.0.1:port}; every later read waits at most {@code timeout}. */
    static RawSshSocket connect(int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(TcpPorts.loopback(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            return new RawSshSocket(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A DISCONNECT message (RFC 4253 section 11.1).
     *
     * @param reasonCode the wire reason code
     * @param description the peer's text
     */
    record Disconnect(int reasonCode, String description) {
    }

    /** Writes raw bytes. */
    void write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Writes ASCII text (an identification line with its CR LF, or garbage). */
    void write(String ascii) throws IOException {
        write(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Writes one unencrypted packet (RFC 4253 section 6, before the first NEWKEYS): length, padding length, payload and
     * 4 to 11 zero bytes of padding, so that the whole is a multiple of 8.
     */
    void writePlainPacket(byte[] payload) throws IOException {
        int padding = 8 - (5 + payload.length) % 8;
        if (padding < 4) {
            padding += 8;
        }
        ByteBuffer packet = ByteBuffer.allocate(5 + payload.length + padding);
        packet.putInt(1 + payload.length + padding).put((byte) padding).put(payload);
        write(packet.array());
    }

    /** Reads unencrypted packets until one with message number {@code id} and returns its payload. */
    byte[] readPlainPacket(int id) throws IOException {
        for (int i = 0; i < 16; i++) {
            byte[] payload = readPlainPacket();
            if ((payload[0] & 0xff) == id) {
                return payload;
            }
        }
        throw new AssertionError("no message " + id + " among the next 16 packets");
    }

    /** Reads one line, without its CR LF; {@code null} at end of stream. At most 1024 bytes. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() < 1024) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        throw new AssertionError("line longer than 1024 bytes: " + line.toString(StandardCharsets.ISO_8859_1));
    }

    /** Reads the server's identification line (servers may send other lines first; those are skipped). */
    String readVersionLine() throws IOException {
        for (int i = 0; i < 16; i++) {
            String line = readLine();
            if (line == null) {
                throw new AssertionError("connection closed before the server's identification line");
            }
            if (line.startsWith("SSH-")) {
                return line;
            }
        }
        throw new AssertionError("no identification line among the first 16 lines");
    }

    /**
     * Reads one unencrypted packet and returns its payload (the first byte is the message number).
     *
     * @throws EOFException at end of stream
     */
    byte[] readPlainPacket() throws IOException {
        int length = in.readInt();
        if (length < 5 || length > MAX_PACKET) {
            throw new AssertionError("implausible packet length " + Integer.toUnsignedLong(length)
                    + " (is the stream encrypted?)");
        }
        byte[] packet = new byte[length];
        in.readFully(packet);
        int padding = packet[0] & 0xff;
        if (padding < 4 || padding > length - 2) {
            throw new AssertionError("invalid padding length " + padding + " in a packet of " + length);
        }
        byte[] payload = new byte[length - 1 - padding];
        System.arraycopy(packet, 1, payload, 0, payload.length);
        return payload;
    }

    /**
     * Reads unencrypted packets until a DISCONNECT, skipping the others (KEXINIT), or until the connection ends.
     *
     * @return the DISCONNECT, or empty if the connection ended (EOF or reset) without one
     */
    Optional<Disconnect> readDisconnect() throws IOException {
        while (true) {
            byte[] payload;
            try {
                payload = readPlainPacket();
            } catch (EOFException | SocketException e) {
                return Optional.empty();
            }
            if ((payload[0] & 0xff) == DISCONNECT) {
                ByteBuffer b = ByteBuffer.wrap(payload, 1, payload.length - 1);
                int reason = b.getInt();
                byte[] text = new byte[b.getInt()];
                b.get(text);
                return Optional.of(new Disconnect(reason, new String(text, StandardCharsets.UTF_8)));
            }
        }
    }

    /**
     * Reads everything until the server closes the connection (EOF or reset).
     *
     * @throws AssertionError if the connection is still open after the socket's read timeout
     */
    byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                all.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + socket.getSoTimeout()
                    + " ms (" + all.size() + " bytes received meanwhile)", e);
        } catch (SocketException e) {
            // A reset is a close too: the server may discard what we sent after the fault.
        }
        return all.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
