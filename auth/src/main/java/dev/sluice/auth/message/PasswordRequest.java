package dev.sluice.auth.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The password method's fields of a USERAUTH_REQUEST, RFC 4252 section 8: the password, and with {@code change} set
 * the new password that answers a PASSWD_CHANGEREQ. Passwords are UTF-8 bytes held in arrays that {@link #destroy()}
 * zeroes; accessors return the arrays themselves so that no unzeroed copy is made.
 */
public record PasswordRequest(byte[] password, byte[] newPassword) {
    public static final String METHOD = "password";

    /** Whether this answers a change request (the FALSE/TRUE field of the RFC). */
    public boolean change() {
        return newPassword != null;
    }

    /** The method data; the caller zeroes it after sending. */
    public byte[] encode() {
        SshWriter w = SshWriter.heap().writeBoolean(change()).writeBytes(password);
        if (newPassword != null) {
            w.writeBytes(newPassword);
        }
        return w.toByteArray();
    }

    public static PasswordRequest decode(byte[] methodData) {
        SshReader r = SshReader.of(methodData);
        boolean change = r.readBoolean();
        byte[] password = r.readBytes();
        byte[] newPassword = change ? r.readBytes() : null;
        r.ensureEnd("password request");
        return new PasswordRequest(password, newPassword);
    }

    /** Zeroes both passwords. */
    public void destroy() {
        Arrays.fill(password, (byte) 0);
        if (newPassword != null) {
            Arrays.fill(newPassword, (byte) 0);
        }
    }

    /** UTF-8 bytes of {@code chars} without an intermediate String, so that the caller can zero both. */
    public static byte[] utf8(char[] chars) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    /** The characters of UTF-8 {@code bytes}, without an intermediate String. */
    public static char[] chars(byte[] bytes) {
        CharBuffer c = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        char[] out = new char[c.remaining()];
        c.get(out);
        if (c.hasArray()) {
            Arrays.fill(c.array(), '\0');
        }
        return out;
    }
}
