package dev.sluice.transport.message;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_DISCONNECT, RFC 4253 section 11.1. */
public record Disconnect(DisconnectReason reason, String description, String languageTag) implements SshMessage {
    public static final int ID = TransportMessages.DISCONNECT;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(reason.code()).writeUtf8(description).writeAscii(languageTag);
    }

    public static Disconnect decode(SshReader r) {
        DisconnectReason reason = DisconnectReason.of(r.readUint32());
        String description = r.readUtf8();
        // Some peers omit the language tag; being lenient costs nothing on a message that ends the connection.
        String language = r.remaining() > 0 ? r.readAscii() : "";
        return new Disconnect(reason, description, language);
    }
}
