package dev.sluice.transport.key;

import java.util.Locale;

/**
 * OpenSSH's host pattern matching (match.c): {@code *} and {@code ?} wildcards, comma-separated lists,
 * {@code !} negation, case-insensitive (PATTERNS in ssh_config(5)). Public for the auth layer, which matches
 * authorized_keys {@code from=} lists with it.
 */
public final class HostPatterns {
    private HostPatterns() {
    }

    /**
     * match_hostname: 1 if some positive pattern matches and no negated one does, -1 if a negated pattern
     * matches, 0 otherwise. A negated match never gives a positive result by itself.
     */
    public static int matchList(String host, String patternList) {
        String h = host.toLowerCase(Locale.ROOT);
        boolean positive = false;
        for (String sub : patternList.toLowerCase(Locale.ROOT).split(",", -1)) {
            boolean negated = sub.startsWith("!");
            if (negated) {
                sub = sub.substring(1);
            }
            if (matchGlob(h, sub)) {
                if (negated) {
                    return -1;
                }
                positive = true;
            }
        }
        return positive ? 1 : 0;
    }

    /**
     * Glob match of the whole string. Greedy with backtracking to the last {@code *} only, which is linear in
     * practice and, unlike OpenSSH's recursion, cannot be driven exponential by a pattern like {@code *a*a*a*b}.
     */
    public static boolean matchGlob(String s, String pattern) {
        int si = 0;
        int pi = 0;
        int starP = -1;
        int starS = 0;
        while (si < s.length()) {
            if (pi < pattern.length() && (pattern.charAt(pi) == '?' || pattern.charAt(pi) == s.charAt(si))) {
                si++;
                pi++;
            } else if (pi < pattern.length() && pattern.charAt(pi) == '*') {
                starP = pi++;
                starS = si;
            } else if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < pattern.length() && pattern.charAt(pi) == '*') {
            pi++;
        }
        return pi == pattern.length();
    }
}
