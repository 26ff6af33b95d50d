package dev.sluice.connection;

/**
 * Decides on the peer's GLOBAL_REQUESTs of one name (RFC 4254 section 4), e.g. {@code tcpip-forward} on a server.
 * Registered with the {@link ConnectionHandler} like a {@link ChannelOpenHandler}; names without a handler are
 * refused with REQUEST_FAILURE, as OpenSSH refuses them. Called on the connection's event loop; it must not block.
 */
@FunctionalInterface
public interface GlobalRequestHandler {
    /**
     * Answers {@code request} now or later. Throwing a {@link dev.sluice.transport.SshException} (malformed request
     * data) disconnects; any other exception refuses the request.
     */
    void onRequest(InboundGlobalRequest request);
}
