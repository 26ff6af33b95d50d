package dev.sluice.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The log of {@code sluice ssh} in OpenSSH's shape: ssh_config's LogLevel (QUIET FATAL ERROR INFO VERBOSE DEBUG1–3,
 * {@code -q}, {@code -v} up to three times), lines prefixed {@code debug1:}, {@code debug2:}, {@code debug3:} at the
 * debug levels and bare otherwise, each ended by CR LF as ssh's log.c ends them (so they stay readable while the
 * terminal is in raw mode), on standard error or, with {@code -E}, appended to a file.
 *
 * <p>The library's SLF4J loggers reach it through {@link CliLogProvider}; the CLI's own messages call it directly.
 * Until LogLevel is given (by {@code -q}, {@code -v} or the keyword) the library's INFO messages stay hidden, because
 * several of them are sshd's wording rather than ssh's; the CLI's INFO messages show, as at ssh's default INFO.
 *
 * <p>Thread-safe: the settings are volatile and each line is written whole under the sink's lock.
 */
final class SshLog {
    /** ssh_config's LogLevel values, least verbose first. */
    enum Level {
        QUIET, FATAL, ERROR, INFO, VERBOSE, DEBUG1, DEBUG2, DEBUG3;

        /** A LogLevel keyword value; DEBUG is DEBUG1. */
        static Level parse(String value) {
            String v = value.toUpperCase(Locale.ROOT);
            return v.equals("DEBUG") ? DEBUG1 : Level.valueOf(v);
        }

        /** The line prefix ssh uses at this level. */
        String prefix() {
            return switch (this) {
                case DEBUG1 -> "debug1: ";
                case DEBUG2 -> "debug2: ";
                case DEBUG3 -> "debug3: ";
                default -> "";
            };
        }
    }

    private static volatile Level level = Level.INFO;
    private static volatile boolean levelGiven;
    private static volatile PrintStream sink = System.err;

    private SshLog() {
    }

    /**
     * Sets where and how much to log.
     *
     * @param newLevel the LogLevel in force
     * @param given whether LogLevel was given at all (otherwise the library logs only errors)
     * @param newSink standard error, or the {@code -E} file
     */
    static void configure(Level newLevel, boolean given, PrintStream newSink) {
        level = newLevel;
        levelGiven = given;
        sink = newSink;
    }

    /** Whether a message of the CLI's own at {@code at} is written. */
    static boolean enabled(Level at) {
        return at != Level.QUIET && at.compareTo(level) <= 0;
    }

    /** Whether a library message at {@code at} is written: as {@link #enabled}, but only errors by default. */
    static boolean libraryEnabled(Level at) {
        return enabled(at) && (levelGiven || at.compareTo(Level.ERROR) <= 0);
    }

    /** The level in force. */
    static Level level() {
        return level;
    }

    /** The stream log lines go to. */
    static PrintStream sink() {
        return sink;
    }

    static void fatal(String message) {
        log(Level.FATAL, message);
    }

    static void error(String message) {
        log(Level.ERROR, message);
    }

    static void info(String message) {
        log(Level.INFO, message);
    }

    static void verbose(String message) {
        log(Level.VERBOSE, message);
    }

    static void debug1(String message) {
        log(Level.DEBUG1, message);
    }

    static void debug2(String message) {
        log(Level.DEBUG2, message);
    }

    static void debug3(String message) {
        log(Level.DEBUG3, message);
    }

    /** Writes {@code message} at {@code at} when that level is enabled; a message of several lines keeps them. */
    static void log(Level at, String message) {
        if (enabled(at)) {
            write(at, message);
        }
    }

    /** Writes without checking the level (the caller did). */
    static void write(Level at, String message) {
        PrintStream out = sink;
        StringBuilder b = new StringBuilder();
        for (String line : message.split("\n", -1)) {
            b.append(at.prefix()).append(line).append("\r\n");
        }
        synchronized (out) {
            out.print(b);
            out.flush();
        }
    }
}
