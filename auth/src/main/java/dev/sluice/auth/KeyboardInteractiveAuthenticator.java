package dev.sluice.auth;

import java.util.List;

/**
 * The server's keyboard-interactive method (RFC 4256): a conversation of any number of rounds of questions, each
 * answered by the client, ending in success or failure.
 *
 * <p>Called off the event loop, on a thread that may block. Answers are arrays that the caller zeroes after
 * {@link Conversation#next} returns.
 */
@FunctionalInterface
public interface KeyboardInteractiveAuthenticator {

    /** Starts a conversation with {@code user}; {@code submethods} is the client's hint, usually empty. */
    Conversation start(String user, String submethods);

    /** One login attempt's questions and answers. */
    interface Conversation {
        /** The next step, given the answers to the previous round (empty on the first call). */
        Step next(List<char[]> answers);
    }

    /** One question, and whether the answer may be echoed (false for secrets). */
    record Prompt(String text, boolean echo) {
    }

    /**
     * Either another round of questions, or the end.
     *
     * @param prompts the questions of the next round; ignored when {@code done}
     */
    record Step(boolean done, boolean accepted, String name, String instruction, List<Prompt> prompts) {
        public Step {
            prompts = List.copyOf(prompts);
        }

        public static Step accept() {
            return new Step(true, true, "", "", List.of());
        }

        public static Step reject() {
            return new Step(true, false, "", "", List.of());
        }

        public static Step ask(String name, String instruction, List<Prompt> prompts) {
            return new Step(false, false, name, instruction, prompts);
        }
    }

    /**
     * One round asking "Password: " (no echo), checked by {@code passwords}: what PAM's pam_unix offers through sshd.
     * An expired password is a failure here, as keyboard-interactive has no change request.
     */
    static KeyboardInteractiveAuthenticator password(PasswordAuthenticator passwords) {
        return (user, submethods) -> new Conversation() {
            private boolean asked;

            @Override
            public Step next(List<char[]> answers) {
                if (!asked) {
                    asked = true;
                    return Step.ask("", "", List.of(new Prompt("Password: ", false)));
                }
                boolean ok = answers.size() == 1
                        && passwords.authenticate(user, answers.get(0)).outcome()
                                == PasswordAuthenticator.Outcome.SUCCESS;
                return ok ? Step.accept() : Step.reject();
            }
        };
    }
}
