package dev.sluice.cli;

import java.io.Console;

/** Asks the person at the terminal, as ssh does; without a terminal the answer is "no" (like BatchMode). */
final class Prompts {
    private Prompts() {
    }

    /** A passphrase read without echo, or null when there is no terminal. */
    static char[] passphrase(String prompt) {
        Console console = System.console();
        return console == null ? null : console.readPassword("%s", prompt);
    }

    /** A line of text, or null when there is no terminal. */
    static String line(String prompt) {
        Console console = System.console();
        return console == null ? null : console.readLine("%s", prompt);
    }
}
