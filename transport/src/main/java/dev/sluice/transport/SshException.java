package dev.sluice.transport;

import java.util.Locale;

/**
 * A fatal protocol error: the connection is ended with SSH_MSG_DISCONNECT carrying {@link #reason()} and the message.
 *
 * <p>Unchecked, because it is thrown from deep inside decoders and handlers and always ends in the pipeline's
 * exception handler, which sends the DISCONNECT and closes the socket (as Netty's {@code Http2Exception.connectionError}).
 */
public class SshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final DisconnectReason reason;

    public SshException(DisconnectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SshException(DisconnectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** A fatal error with a formatted message, e.g. {@code disconnect(PROTOCOL_ERROR, "bad packet length %d", n)}. */
    public static SshException disconnect(DisconnectReason reason, String format, Object... args) {
        return new SshException(reason, String.format(Locale.ROOT, format, args));
    }

    /** What the DISCONNECT message will carry. */
    public DisconnectReason reason() {
        return reason;
    }
}
