package dev.sluice.connection.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/**
 * SSH_MSG_CHANNEL_OPEN_FAILURE, RFC 4254 section 5.1. The reason code is kept as the raw uint32 because peers may
 * send codes outside {@link OpenFailureReason}.
 */
public record ChannelOpenFailure(int recipientChannel, int reasonCode, String description, String languageTag)
        implements ConnectionMessage {
    public static final byte ID = 92;

    /** A failure with one of the RFC's reason codes and an empty language tag. */
    public ChannelOpenFailure(int recipientChannel, OpenFailureReason reason, String description) {
        this(recipientChannel, reason.code(), description, "");
    }

    @Override
    public byte messageId() {
        return ID;
    }

    @Override
    public int sizeHint() {
        return 16 + description.length() * 3 + languageTag.length();
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(recipientChannel).writeUint32(reasonCode).writeUtf8(description).writeUtf8(languageTag);
    }

    /** Reads the body after the message number. */
    public static ChannelOpenFailure decode(SshReader r) {
        int recipient = r.readUint32();
        int reason = r.readUint32();
        String description = r.readUtf8();
        String language = r.readUtf8();
        r.ensureEnd("SSH_MSG_CHANNEL_OPEN_FAILURE");
        return new ChannelOpenFailure(recipient, reason, description, language);
    }
}
