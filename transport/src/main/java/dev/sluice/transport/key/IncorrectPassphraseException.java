package dev.sluice.transport.key;

/**
 * An encrypted private key file could not be decrypted with the passphrase given (or none was given).
 *
 * <p>Separate from other format errors so that a caller can ask for the passphrase again, as ssh(1) does. The
 * message is OpenSSH's, "incorrect passphrase supplied to decrypt private key".
 */
public final class IncorrectPassphraseException extends KeyFormatException {
    private static final long serialVersionUID = 1L;

    /** OpenSSH's wording for SSH_ERR_KEY_WRONG_PASSPHRASE. */
    public static final String MESSAGE = "incorrect passphrase supplied to decrypt private key";

    public IncorrectPassphraseException() {
        super(MESSAGE);
    }
}
