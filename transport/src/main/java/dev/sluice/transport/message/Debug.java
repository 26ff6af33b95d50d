package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_DEBUG, RFC 4253 section 11.3. */
public record Debug(boolean alwaysDisplay, String message, String languageTag) implements SshMessage {
    public static final int ID = TransportMessages.DEBUG;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeBoolean(alwaysDisplay).writeUtf8(message).writeAscii(languageTag);
    }

    public static Debug decode(SshReader r) {
        Debug m = new Debug(r.readBoolean(), r.readUtf8(), r.readAscii());
        r.ensureEnd("DEBUG");
        return m;
    }
}
