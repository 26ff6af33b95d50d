package dev.sluice.connection.session;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * Encodings of the session channel requests of RFC 4254 section 6 (and OpenSSH's {@code eow@openssh.com}): the
 * type-specific data after the request type and want-reply flag. Each decoder requires the data to end exactly where
 * the request does.
 */
final class SessionRequests {
    static final String EXEC = "exec";
    static final String SHELL = "shell";
    static final String SUBSYSTEM = "subsystem";
    static final String ENV = "env";
    static final String PTY_REQ = "pty-req";
    static final String WINDOW_CHANGE = "window-change";
    static final String SIGNAL = "signal";
    static final String EXIT_STATUS = "exit-status";
    static final String EXIT_SIGNAL = "exit-signal";
    static final String EOW = "eow@openssh.com";

    private SessionRequests() {
    }

    /** One string: the command of {@code exec}, the name of {@code subsystem} and {@code signal}. */
    static byte[] string(String value) {
        return SshWriter.heap().writeUtf8(value).toByteArray();
    }

    static String decodeString(byte[] data, String what) {
        SshReader r = SshReader.of(data);
        String s = r.readUtf8();
        r.ensureEnd(what);
        return s;
    }

    /** {@code env}: name and value. */
    static byte[] env(String name, String value) {
        return SshWriter.heap().writeUtf8(name).writeUtf8(value).toByteArray();
    }

    static String[] decodeEnv(byte[] data) {
        SshReader r = SshReader.of(data);
        String[] nv = {r.readUtf8(), r.readUtf8()};
        r.ensureEnd(ENV);
        return nv;
    }

    /** {@code window-change}: columns, rows, width and height in pixels. */
    static byte[] windowChange(int columns, int rows, int widthPixels, int heightPixels) {
        return SshWriter.heap().writeUint32(columns).writeUint32(rows).writeUint32(widthPixels)
                .writeUint32(heightPixels).toByteArray();
    }

    /** Columns, rows, width and height in pixels of a {@code window-change}. */
    static int[] decodeWindowChange(byte[] data) {
        SshReader r = SshReader.of(data);
        int[] size = {r.readUint32(), r.readUint32(), r.readUint32(), r.readUint32()};
        r.ensureEnd(WINDOW_CHANGE);
        return size;
    }

    /** {@code exit-status} (uint32 code) or {@code exit-signal} (name, core dumped, message, language tag). */
    static byte[] exit(ExitStatus status) {
        if (!status.isSignal()) {
            return SshWriter.heap().writeUint32(status.code()).toByteArray();
        }
        return SshWriter.heap().writeUtf8(status.signal()).writeBoolean(status.coreDumped())
                .writeUtf8(status.message()).writeUtf8("").toByteArray();
    }

    static ExitStatus decodeExitStatus(byte[] data) {
        SshReader r = SshReader.of(data);
        int code = r.readUint32();
        r.ensureEnd(EXIT_STATUS);
        return ExitStatus.exited(code & 0xff);
    }

    static ExitStatus decodeExitSignal(byte[] data) {
        SshReader r = SshReader.of(data);
        String name = r.readUtf8();
        boolean core = r.readBoolean();
        String message = r.readUtf8();
        r.readUtf8(); // language tag
        r.ensureEnd(EXIT_SIGNAL);
        return new ExitStatus(-1, name, core, message);
    }
}
