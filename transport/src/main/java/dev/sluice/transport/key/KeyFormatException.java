package dev.sluice.transport.key;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;

/**
 * A key, signature or key file that cannot be parsed: malformed, truncated, or of a type Sluice does not support.
 *
 * <p>It is an {@link SshException} with reason PROTOCOL_ERROR, so a malformed key blob that arrives on the wire
 * (a host key in KEX, a public key in userauth) ends the connection the way any other malformed message does,
 * while code reading files can catch this one type.
 */
public class KeyFormatException extends SshException {
    private static final long serialVersionUID = 1L;

    public KeyFormatException(String message) {
        super(DisconnectReason.PROTOCOL_ERROR, message);
    }

    public KeyFormatException(String message, Throwable cause) {
        super(DisconnectReason.PROTOCOL_ERROR, message, cause);
    }
}
