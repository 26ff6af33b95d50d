package dev.sluice.connection.session;

import java.util.Objects;

/**
 * How a session's command ended, as the server reports it (RFC 4254 section 6.10): an exit code ({@code exit-status})
 * or the signal that killed it ({@code exit-signal}).
 *
 * @param code the exit code, or -1 when a signal ended the command
 * @param signal the signal name without {@code SIG} (e.g. {@code KILL}), or {@code null} for a normal exit
 * @param coreDumped whether the signal left a core dump
 * @param message the error message of an exit-signal (often empty)
 */
public record ExitStatus(int code, String signal, boolean coreDumped, String message) {
    public ExitStatus {
        Objects.requireNonNull(message);
        if ((signal == null) == (code < 0)) {
            throw new IllegalArgumentException("an exit status has either a code >= 0 or a signal");
        }
    }

    /** A normal exit with {@code code}. */
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, null, false, "");
    }

    /** Killed by the signal {@code name} ({@code KILL}, {@code TERM}, …). */
    public static ExitStatus killed(String name) {
        return new ExitStatus(-1, name, false, "");
    }

    /** Whether a signal ended the command. */
    public boolean isSignal() {
        return signal != null;
    }

    @Override
    public String toString() {
        return isSignal() ? "signal " + signal : "exit " + code;
    }
}
