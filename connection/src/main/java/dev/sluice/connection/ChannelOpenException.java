package dev.sluice.connection;

import dev.sluice.connection.message.OpenFailureReason;
import java.io.IOException;

/**
 * The peer refused a channel we opened (SSH_MSG_CHANNEL_OPEN_FAILURE). The message reads like OpenSSH's log line
 * after "channel N: open failed: ", e.g. "connect failed: Connection refused".
 */
public final class ChannelOpenException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int localId;
    private final int reasonCode;
    private final String description;

    /**
     * @param localId our number of the refused channel (-1 if it never got one)
     * @param reasonCode the wire reason code
     * @param description the peer's text
     */
    public ChannelOpenException(int localId, int reasonCode, String description) {
        super(OpenFailureReason.textOf(reasonCode) + (description.isEmpty() ? "" : ": " + description));
        this.localId = localId;
        this.reasonCode = reasonCode;
        this.description = description;
    }

    /** Our number of the refused channel, for "channel N: open failed: ..." log lines; -1 if it had none. */
    public int localId() {
        return localId;
    }

    /** The wire reason code (see {@link OpenFailureReason}). */
    public int reasonCode() {
        return reasonCode;
    }

    /** The peer's description, e.g. "Connection refused". */
    public String description() {
        return description;
    }
}
