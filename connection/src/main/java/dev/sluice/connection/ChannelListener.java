package dev.sluice.connection;

import dev.sluice.connection.message.ChannelRequest;
import io.netty.buffer.ByteBuf;

/**
 * Receives the events of one {@link SshChannel}, always on the connection's event loop. A method that throws closes
 * that channel (not the connection) and is logged.
 */
public interface ChannelListener {
    /** The channel is open: our open was confirmed, or we accepted the peer's. */
    default void onOpen(SshChannel channel) {
    }

    /**
     * CHANNEL_DATA arrived. {@code data} is borrowed: it is released by the caller after this returns, so retain it
     * to keep it. Call {@link SshChannel#consumed} with its size once the bytes have left your hands; that is what
     * reopens the peer's window.
     */
    void onData(SshChannel channel, ByteBuf data);

    /**
     * CHANNEL_EXTENDED_DATA arrived (type 1 is stderr). Borrowed like {@link #onData}. By default the bytes are
     * dropped and credited back at once so that the peer never stalls on output nobody reads.
     */
    default void onExtendedData(SshChannel channel, int dataTypeCode, ByteBuf data) {
        channel.consumed(data.readableBytes());
    }

    /** The peer sent CHANNEL_EOF: it will send no more data (it may still read ours). */
    default void onEof(SshChannel channel) {
    }

    /**
     * The channel ended: both CLOSEs passed or the connection closed. Called once, for every channel that was open
     * (a refused open fails its future instead).
     */
    default void onClose(SshChannel channel) {
    }

    /** {@link SshChannel#isWritable()} changed. */
    default void onWritabilityChanged(SshChannel channel) {
    }

    /**
     * The peer sent a CHANNEL_REQUEST. Return true to answer SUCCESS, false for FAILURE (when it wants a reply). By
     * default every request is refused, as OpenSSH does with request types it does not know.
     */
    default boolean onRequest(SshChannel channel, ChannelRequest request) {
        return false;
    }
}
