package dev.sluice.forwarding;

/**
 * A SOCKS handshake that cannot go on: the message says why (for the log), {@link #reply()} is what the client
 * should get before the connection closes (empty when the protocol has no way to say it, e.g. an unknown version).
 */
final class SocksException extends Exception {
    private static final long serialVersionUID = 1L;

    private final byte[] reply;

    SocksException(String message, byte[] reply) {
        super(message, null, false, false);
        this.reply = reply;
    }

    /** The bytes to send to the client before closing; not copied, do not modify. */
    byte[] reply() {
        return reply;
    }
}
