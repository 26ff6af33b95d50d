package dev.sluice.cli;

/**
 * OpenSSH's patterns (ssh_config(5) PATTERNS): {@code *} matches any run of characters, {@code ?} one character, and
 * in a comma-separated list a pattern prefixed with {@code !} vetoes the list when it matches.
 */
final class Patterns {
    private Patterns() {
    }

    /** One pattern against the whole of {@code s}, case-sensitively, as ssh's match_pattern. */
    static boolean matches(String s, String pattern) {
        return matches(s, 0, pattern, 0);
    }

    private static boolean matches(String s, int si, String p, int pi) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (matches(s, k, p, pi + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            si++;
            pi++;
        }
        return si == s.length();
    }

    /**
     * A comma-separated list, as ssh's match_pattern_list: true when some pattern matches and no negated one does.
     */
    static boolean matchesList(String s, String list) {
        boolean matched = false;
        for (String p : list.split(",", -1)) {
            boolean negated = p.startsWith("!");
            if (matches(s, negated ? p.substring(1) : p)) {
                if (negated) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }
}
