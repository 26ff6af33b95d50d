package dev.sluice.auth;

/**
 * The server's password check for the password method (RFC 4252 section 8) and, through
 * {@link KeyboardInteractiveAuthenticator#password}, for keyboard-interactive.
 *
 * <p>Called off the event loop, on a thread that may block (a slow hash, PAM, a directory service). The password
 * arrays belong to the caller, which zeroes them afterwards. An implementation should take as long for an unknown
 * user as for a known one (verify against a dummy hash), so that the answer does not reveal which users exist.
 */
@FunctionalInterface
public interface PasswordAuthenticator {

    /** What a check decided. */
    enum Outcome { SUCCESS, FAILURE, CHANGE_REQUIRED }

    /**
     * The answer to one password.
     *
     * @param outcome success, failure, or correct-but-expired
     * @param changePrompt for CHANGE_REQUIRED, the text shown to the user (PASSWD_CHANGEREQ's prompt)
     */
    record Result(Outcome outcome, String changePrompt) {
        public static final Result SUCCESS = new Result(Outcome.SUCCESS, "");
        public static final Result FAILURE = new Result(Outcome.FAILURE, "");

        /** The password was right but must be changed now. */
        public static Result changeRequired(String prompt) {
            return new Result(Outcome.CHANGE_REQUIRED, prompt);
        }
    }

    Result authenticate(String user, char[] password);

    /**
     * Answers a change request: {@code oldPassword} must be right, then {@code newPassword} replaces it. The
     * default refuses, for authenticators that never ask for a change.
     */
    default Result changePassword(String user, char[] oldPassword, char[] newPassword) {
        return Result.FAILURE;
    }
}
