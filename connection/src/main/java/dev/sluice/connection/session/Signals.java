package dev.sluice.connection.session;

import java.util.Map;

/**
 * The signal names of RFC 4254 section 6.10 and their Linux numbers: what sshd sends as {@code exit-signal} and
 * accepts in a {@code signal} request.
 */
final class Signals {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("ABRT", 6), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15));

    private Signals() {
    }

    /** Whether {@code name} is one of the signals the protocol names. */
    static boolean isKnown(String name) {
        return NUMBERS.containsKey(name);
    }

    /** The protocol's name for signal {@code number}, or {@code null} when it has none. */
    static String name(int number) {
        for (Map.Entry<String, Integer> e : NUMBERS.entrySet()) {
            if (e.getValue() == number) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * The exit status of a process as Java reports it. The JDK reports death by signal N as 128 + N, which a shell's
     * {@code exit 128+N} also produces; statuses of that form for the signals the protocol names are taken as the
     * signal, as the likelier cause (a shell reports a child killed by a signal the same way).
     */
    static ExitStatus fromJavaExitValue(int value) {
        if (value > 128) {
            String name = name(value - 128);
            if (name != null) {
                return ExitStatus.killed(name);
            }
        }
        return ExitStatus.exited(value);
    }
}
