package dev.sluice.connection;

/**
 * Decides on the peer's CHANNEL_OPENs of one channel type ({@code direct-tcpip} on a server, {@code forwarded-tcpip}
 * on a client). Registered with the {@link ConnectionHandler}; types without a handler are refused with
 * UNKNOWN_CHANNEL_TYPE. Called on the connection's event loop; it must not block.
 */
@FunctionalInterface
public interface ChannelOpenHandler {
    /** Answers {@code request} now or later; throwing rejects it with CONNECT_FAILED. */
    void onOpen(ChannelOpenRequest request);
}
