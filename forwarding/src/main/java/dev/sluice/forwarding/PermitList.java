package dev.sluice.forwarding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of permitted forwarding endpoints as sshd_config's {@code PermitOpen} and {@code PermitListen} (and
 * authorized_keys' {@code permitopen=} and {@code permitlisten=}) write it: {@code any}, {@code none}, or
 * {@code host:port} entries, {@code [addr]:port} for IPv6, {@code *} for any host or any port.
 *
 * <p>Matching follows sshd: a {@link #permitsOpen destination} matches an entry's host exactly (no pattern matching
 * or lookups, case-sensitive) or {@code *}; a {@link #permitsListen listen address} is lower-cased and matched
 * against the entry's host as a pattern ({@code *} and {@code ?}, ssh_config(5) PATTERNS). Note that ssh sends
 * {@code localhost} when no listen address was given, which matches neither {@code 127.0.0.1} nor {@code ::1}.
 * Immutable.
 */
public final class PermitList {
    /** Port value of an entry with {@code *} as its port. */
    public static final int ANY_PORT = -1;
    /** sshd's default: everything permitted. */
    public static final PermitList ANY = new PermitList(true, List.of(), "any");
    /** Nothing permitted. */
    public static final PermitList NONE = new PermitList(false, List.of(), "none");

    /** One {@code host:port} entry; port {@link #ANY_PORT} for {@code *}. */
    public record Entry(String host, int port) {
    }

    private final boolean any;
    private final List<Entry> entries;
    private final String text;

    private PermitList(boolean any, List<Entry> entries, String text) {
        this.any = any;
        this.entries = List.copyOf(entries);
        this.text = text;
    }

    /** Parses a {@code PermitOpen} value: {@code host:port} entries, or {@code any} or {@code none} alone. */
    public static PermitList parseOpen(String value) {
        return parse("PermitOpen", value, false);
    }

    /** Parses a {@code PermitListen} value; an entry may be a bare {@code port}, meaning any listen host. */
    public static PermitList parseListen(String value) {
        return parse("PermitListen", value, true);
    }

    /** A list of the given entries (for per-key {@code permitopen=}/{@code permitlisten=} options). */
    public static PermitList of(List<Entry> entries) {
        StringBuilder text = new StringBuilder();
        for (Entry e : entries) {
            text.append(text.length() == 0 ? "" : " ").append(format(e));
        }
        return new PermitList(false, entries, text.toString());
    }

    /**
     * Parses one entry as sshd does: {@code host:port} or {@code [host]:port}, port a number from 1 to 65535 or
     * {@code *}; with {@code bareListenPort}, a lone port means {@code *:port}.
     *
     * @throws IllegalArgumentException with sshd's words, "KEYWORD missing host" or "KEYWORD bad port number"
     */
    public static Entry parseEntry(String keyword, String spec, boolean bareListenPort) {
        String host;
        String port;
        if (spec.startsWith("[")) {
            int end = spec.indexOf(']');
            if (end < 0 || end + 1 >= spec.length() || spec.charAt(end + 1) != ':') {
                throw new IllegalArgumentException(keyword + " missing host");
            }
            host = spec.substring(1, end);
            port = spec.substring(end + 2);
        } else {
            int colon = spec.lastIndexOf(':');
            if (colon < 0 && bareListenPort) {
                host = "*";
                port = spec;
            } else if (colon < 0) {
                // sshd's hpdelim2 takes the whole word as the host, and then finds no port.
                throw new IllegalArgumentException(keyword + " bad port number");
            } else if (colon == 0 || spec.indexOf('/') >= 0) {
                throw new IllegalArgumentException(keyword + " missing host");
            } else {
                host = spec.substring(0, colon);
                port = spec.substring(colon + 1);
            }
        }
        return new Entry(host, parsePort(keyword, port));
    }

    private static PermitList parse(String keyword, String value, boolean listen) {
        String[] words = value.trim().split("\\s+");
        if (words.length == 1 && words[0].isEmpty()) {
            throw new IllegalArgumentException(keyword + " missing argument.");
        }
        if (words.length == 1 && (words[0].equals("any") || words[0].equals("none"))) {
            return words[0].equals("any") ? ANY : NONE;
        }
        List<Entry> entries = new ArrayList<>(words.length);
        for (String w : words) {
            if (w.equals("any") || w.equals("none")) {
                throw new IllegalArgumentException(w + " must appear alone on a " + keyword + " line.");
            }
            entries.add(parseEntry(keyword, w, listen));
        }
        return new PermitList(false, entries, String.join(" ", words));
    }

    /**
     * Parses ssh_config's {@code PermitRemoteOpen} arguments as ssh's readconf.c does: {@code any} or {@code none}
     * (any case) alone, or {@code host:port} entries split at the first colon ({@code [addr]:port} for IPv6), port a
     * number from 1 to 65535 or {@code *}, host {@code *} for any host. The text is kept as written, for
     * {@code ssh -G}.
     *
     * @throws IllegalArgumentException with ssh's words: "keyword permitremoteopen \"any\" argument must appear
     *         alone.", "missing host in permitremoteopen", "bad port number in permitremoteopen"
     */
    public static PermitList parsePermitRemoteOpen(List<String> words) {
        String text = String.join(" ", words);
        if (words.size() == 1 && words.get(0).equalsIgnoreCase("any")) {
            return new PermitList(true, List.of(), text);
        }
        if (words.size() == 1 && words.get(0).equalsIgnoreCase("none")) {
            return new PermitList(false, List.of(), text);
        }
        List<Entry> entries = new ArrayList<>(words.size());
        for (String w : words) {
            if (w.equalsIgnoreCase("any") || w.equalsIgnoreCase("none")) {
                throw new IllegalArgumentException("keyword permitremoteopen \"" + w
                        + "\" argument must appear alone.");
            }
            String host;
            String port;
            if (w.startsWith("[")) {
                int end = w.indexOf(']');
                if (end < 0 || (end + 1 < w.length() && w.charAt(end + 1) != ':')) {
                    throw new IllegalArgumentException("missing host in permitremoteopen");
                }
                host = w.substring(1, end);
                port = end + 2 <= w.length() ? w.substring(end + 2) : null;
            } else {
                int colon = w.indexOf(':');
                host = colon < 0 ? w : w.substring(0, colon);
                port = colon < 0 ? null : w.substring(colon + 1);
            }
            try {
                entries.add(new Entry(host, parsePort("", port == null ? "" : port)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad port number in permitremoteopen", e);
            }
        }
        return new PermitList(false, entries, text);
    }

    /** sshd's permitopen_port: {@code *} or 1 to 65535. */
    private static int parsePort(String keyword, String p) {
        if (p.equals("*")) {
            return ANY_PORT;
        }
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(keyword + " bad port number");
        }
        int n = Integer.parseInt(p);
        if (n < 1 || n > 65535) {
            throw new IllegalArgumentException(keyword + " bad port number");
        }
        return n;
    }

    /** Whether this is {@code any}: no restriction. */
    public boolean isAny() {
        return any;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Whether a {@code direct-tcpip} to {@code host:port} is permitted (sshd's {@code open_match}). */
    public boolean permitsOpen(String host, int port) {
        if (any) {
            return true;
        }
        for (Entry e : entries) {
            if ((e.port == ANY_PORT || e.port == port) && (e.host.equals("*") || e.host.equals(host))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a {@code tcpip-forward} on {@code host:port} is permitted (sshd's {@code remote_open_match}). */
    public boolean permitsListen(String host, int port) {
        if (any) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (Entry e : entries) {
            if ((e.port == ANY_PORT || e.port == port) && glob(h, 0, e.host, 0)) {
                return true;
            }
        }
        return false;
    }

    /** ssh's match_pattern: {@code *} any run of characters, {@code ?} one character, the rest literal. */
    private static boolean glob(String s, int si, String p, int pi) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (glob(s, k, p, pi + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (si == s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            si++;
            pi++;
        }
        return si == s.length();
    }

    private static String format(Entry e) {
        String host = e.host.indexOf(':') >= 0 ? "[" + e.host + "]" : e.host;
        return host + ":" + (e.port == ANY_PORT ? "*" : Integer.toString(e.port));
    }

    /** The list as written in sshd_config ({@code any}, {@code none} or the entries). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PermitList l && l.any == any && l.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode() * 31 + (any ? 1 : 0);
    }
}
