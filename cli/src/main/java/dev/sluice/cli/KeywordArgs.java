package dev.sluice.cli;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The arguments of one ssh_config line and the checks ssh's readconf.c makes on them, with its messages
 * ("FILE line N: no argument after keyword \"port\"", "Bad port 'x'.", "unsupported option \"maybe\".").
 */
final class KeywordArgs {
    private final String keyword;
    private final List<String> args;
    private final String where;
    private final int line;

    KeywordArgs(String keyword, List<String> args, String where, int line) {
        this.keyword = keyword;
        this.args = args;
        this.where = where;
        this.line = line;
    }

    IllegalArgumentException error(String message) {
        return new IllegalArgumentException(where + " line " + line + ": " + message);
    }

    String one() {
        atLeastOne();
        if (args.size() > 1) {
            throw error("keyword " + keyword + " extra arguments at end of line");
        }
        return args.get(0);
    }

    List<String> atLeastOne() {
        if (args.isEmpty() || args.get(0).isEmpty()) {
            throw error("no argument after keyword \"" + keyword + "\"");
        }
        return args;
    }

    List<String> oneOrTwo() {
        atLeastOne();
        if (args.size() > 2) {
            throw error("keyword " + keyword + " extra arguments at end of line");
        }
        return args;
    }

    /** yes/no (and true/false, which ssh also takes) as ssh's multistate flag. */
    boolean flag() {
        String v = choice("yes", "no", "true", "false");
        return v.equals("yes") || v.equals("true");
    }

    /** One of {@code values}, case-insensitively, returned in lower case. */
    String choice(String... values) {
        String v = one();
        for (String allowed : values) {
            if (allowed.equalsIgnoreCase(v)) {
                return allowed.toLowerCase(Locale.ROOT);
            }
        }
        if (keyword.equals("loglevel")) {
            throw error("unsupported log level '" + v + "'");
        }
        throw error("unsupported option \"" + v + "\".");
    }

    int port() {
        String v = one();
        try {
            int p = Integer.parseInt(v);
            if (p > 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below in ssh's words
        }
        throw error("Bad port '" + v + "'.");
    }

    int integer() {
        try {
            return Integer.parseInt(one());
        } catch (NumberFormatException e) {
            throw error("integer value invalid.");
        }
    }

    /** ssh's convtime: digits with an optional unit (s, m, h, d, w), repeated and summed; {@code none} is 0. */
    int seconds() {
        String v = one().toLowerCase(Locale.ROOT);
        if (keyword.equals("connecttimeout") && v.equals("none")) {
            return 0;
        }
        long total = 0;
        long n = -1;
        for (char c : v.toCharArray()) {
            if (c >= '0' && c <= '9') {
                n = (n < 0 ? 0 : n * 10) + (c - '0');
            } else {
                long unit = switch (c) {
                    case 's' -> 1;
                    case 'm' -> 60;
                    case 'h' -> 3600;
                    case 'd' -> 86400;
                    case 'w' -> 604800;
                    default -> -1;
                };
                if (n < 0 || unit < 0) {
                    throw error("invalid time value.");
                }
                total += n * unit;
                n = -1;
            }
            if (total + Math.max(n, 0) > Integer.MAX_VALUE) {
                throw error("invalid time value.");
            }
        }
        return (int) (total + Math.max(n, 0));
    }

    /** {@link #seconds} for sshd_config, which reports a bad time itself: a NumberFormatException. */
    int secondsOrThrow() {
        try {
            return seconds();
        } catch (IllegalArgumentException e) {
            throw new NumberFormatException(args.get(0));
        }
    }

    /** LocalForward and RemoteForward: {@code [bind:]port host:hostport} as one spec the forward parsers read. */
    String forwardSpec() {
        List<String> a = atLeastOne();
        if (keyword.equals("localforward") && a.size() == 1) {
            throw error("Missing target argument.");
        }
        if (a.size() > 2) {
            throw error("Bad forwarding specification.");
        }
        return String.join(":", a);
    }

    /** A value parsed by {@code parse}, whose IllegalArgumentException becomes ssh's line error. */
    <T> T parsed(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            if (keyword.endsWith("forward")) {
                throw error("Bad forwarding specification.");
            }
            throw error(e.getMessage());
        }
    }
}
