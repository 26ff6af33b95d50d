package dev.sluice.connection;

/**
 * A GLOBAL_REQUEST from the peer, handed to the {@link GlobalRequestHandler} registered for its name. The handler
 * must call {@link #succeed} or {@link #fail} exactly once, at once or later (after binding a socket, say), on any
 * thread. Replies leave in the order the requests arrived, as RFC 4254 section 4 requires: an answer given early
 * waits for the requests before it.
 */
public interface InboundGlobalRequest {
    SshConnection connection();

    String requestName();

    /** Whether the peer wants a reply; without, {@link #succeed} and {@link #fail} send nothing. */
    boolean wantReply();

    /** The request-specific data after the want-reply flag (a copy). */
    byte[] requestData();

    /**
     * Sends REQUEST_SUCCESS with {@code responseData} (empty for most requests; the allocated port of a
     * {@code tcpip-forward} for port 0, RFC 4254 section 7.1).
     */
    void succeed(byte[] responseData);

    /** Sends REQUEST_FAILURE. */
    void fail();
}
