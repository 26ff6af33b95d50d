package dev.sluice.connection;

import dev.sluice.transport.TransportClosed;

/**
 * A connection attempt ended before it was ready: the peer disconnected or this side refused it (a host key that
 * failed verification, a protocol error). The message is the one OpenSSH would print.
 */
public final class SshDisconnectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient TransportClosed closed;

    public SshDisconnectedException(String message, TransportClosed closed) {
        super(message);
        this.closed = closed;
    }

    /** Why the transport ended, when it said; null for a plain socket close. */
    public TransportClosed closed() {
        return closed;
    }
}
