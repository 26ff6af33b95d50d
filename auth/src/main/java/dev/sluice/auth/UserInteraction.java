package dev.sluice.auth;

/**
 * How the client asks its user for passwords and keyboard-interactive answers, and shows what the server says
 * (keyboard-interactive names and instructions, password change notes, "Permission denied, please try again.").
 *
 * <p>Called off the event loop, on a thread that may block (a terminal read, a dialog). {@link #NONE} is ssh's
 * BatchMode: it answers nothing, so password and keyboard-interactive authentication give up at once.
 */
public interface UserInteraction {
    /** Asks nothing and shows nothing: BatchMode. */
    UserInteraction NONE = new UserInteraction() {
        @Override
        public char[] prompt(String prompt, boolean echo) {
            return null;
        }

        @Override
        public void show(String message) {
        }
    };

    /**
     * Asks one question, e.g. {@code "alice@host's password: "}.
     *
     * @param echo whether the answer may be shown while typed (false for passwords)
     * @return the answer, which the caller zeroes after use; null when the user cancels or cannot be asked
     */
    char[] prompt(String prompt, boolean echo);

    /** Shows a line from the server or about the exchange, as ssh prints it on standard error. */
    void show(String message);
}
