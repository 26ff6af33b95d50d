package dev.sluice.auth.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** The keyboard-interactive method's fields of a USERAUTH_REQUEST, RFC 4256 section 3.1. */
public record KeyboardInteractiveRequest(String languageTag, String submethods) {
    public static final String METHOD = "keyboard-interactive";

    public byte[] encode() {
        return SshWriter.heap().writeAscii(languageTag).writeUtf8(submethods).toByteArray();
    }

    public static KeyboardInteractiveRequest decode(byte[] methodData) {
        SshReader r = SshReader.of(methodData);
        KeyboardInteractiveRequest m = new KeyboardInteractiveRequest(r.readAscii(), r.readUtf8());
        r.ensureEnd("keyboard-interactive request");
        return m;
    }
}
