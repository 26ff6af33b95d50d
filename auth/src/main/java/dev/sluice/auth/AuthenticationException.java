package dev.sluice.auth;

/**
 * The client could not authenticate: every offered method and key was refused. The message is what OpenSSH prints,
 * e.g. {@code Permission denied (publickey).}
 */
public final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
