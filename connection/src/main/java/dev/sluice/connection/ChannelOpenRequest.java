package dev.sluice.connection;

import dev.sluice.connection.message.OpenFailureReason;

/**
 * A CHANNEL_OPEN from the peer, handed to the {@link ChannelOpenHandler} registered for its type. The handler must
 * call {@link #accept} or {@link #reject} exactly once, at once or later (after connecting somewhere), on the
 * connection's event loop. Until then the channel number is reserved and counts toward the channel limit.
 */
public interface ChannelOpenRequest {
    SshConnection connection();

    String channelType();

    /** The type-specific tail of the CHANNEL_OPEN, e.g. a {@code DirectTcpip} encoding. */
    byte[] typeSpecificData();

    /** The channel number we will use, for log lines. */
    int localId();

    /**
     * Sends OPEN_CONFIRMATION and returns the open channel, whose events go to {@code listener} (starting with
     * {@link ChannelListener#onOpen}). If the connection closed meanwhile, nothing is sent and the listener gets
     * only {@link ChannelListener#onClose}.
     */
    SshChannel accept(ChannelListener listener);

    /** Sends OPEN_FAILURE with {@code reason} and {@code description} and frees the channel number. */
    void reject(OpenFailureReason reason, String description);
}
