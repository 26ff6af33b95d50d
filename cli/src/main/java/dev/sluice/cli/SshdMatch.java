package dev.sluice.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code Match} block of sluice server's sshd_config: its criteria ({@code User}, {@code Group}, {@code Host},
 * {@code Address}, {@code LocalAddress}, {@code LocalPort}, {@code All}; pattern lists with {@code !} negation,
 * addresses also as CIDR blocks) and the keyword lines it holds. As in sshd, the lines are checked when the file is
 * read (a keyword sshd does not allow in Match is an error) and applied per connection once the user is known, the
 * first matching block that sets a keyword overriding the global value.
 */
final class SshdMatch {
    /** sshd 9.2's keywords allowed inside Match (servconf.c SSHCFG_MATCH) that sluice server also applies there. */
    private static final Set<String> APPLIED = Set.of("acceptenv", "allowagentforwarding", "allowstreamlocalforwarding",
            "allowtcpforwarding", "authenticationmethods", "authorizedkeysfile", "banner",
            "challengeresponseauthentication", "clientalivecountmax", "clientaliveinterval", "disableforwarding",
            "forcecommand", "gatewayports", "kbdinteractiveauthentication", "maxauthtries", "maxsessions",
            "passwordauthentication", "permitemptypasswords", "permitlisten", "permitopen", "permittty",
            "pubkeyauthentication", "rekeylimit", "trustedusercakeys");
    /** Keywords sluice server knows that sshd refuses inside Match ("Directive … is not allowed …"). */
    private static final Set<String> NOT_IN_MATCH = Set.of("port", "listenaddress", "hostkey", "hostcertificate",
            "logingracetime", "ciphers", "kexalgorithms", "hostkeyalgorithms", "macs", "compression", "maxstartups",
            "subsystem", "usepam", "strictmodes", "pidfile", "usedns");

    /**
     * A connection as Match sees it (sshd's connection_info). A null field is unknown: a criterion on it does not
     * match, as in sshd's test mode.
     *
     * @param user the login name
     * @param host the client's host name: its address, as sshd with {@code UseDNS no}
     * @param address the client's address
     * @param localAddress the server address the client connected to
     * @param localPort the server port the client connected to, -1 when unknown
     */
    record Connection(String user, String host, String address, String localAddress, int localPort) {
        /**
         * sshd's {@code -C} specification: {@code user=…,host=…,addr=…,laddr=…,lport=…} in any order.
         *
         * @throws IllegalArgumentException with sshd's words for a bad one
         */
        static Connection parse(String spec) {
            String user = null;
            String host = null;
            String addr = null;
            String laddr = null;
            int lport = -1;
            for (String item : spec.split(",")) {
                int eq = item.indexOf('=');
                String key = eq < 0 ? item : item.substring(0, eq);
                String value = eq < 0 ? "" : item.substring(eq + 1);
                switch (key) {
                    case "user" -> user = value;
                    case "host" -> host = value;
                    case "addr" -> addr = value;
                    case "laddr" -> laddr = value;
                    case "lport" -> lport = port(value, spec);
                    case "rdomain" -> {
                        // sshd's routing domain: Sluice has no Match RDomain, so it cannot change a result.
                    }
                    default -> throw new IllegalArgumentException("Invalid test mode specification " + item);
                }
            }
            return new Connection(user, host, addr, laddr, lport);
        }

        private static int port(String value, String spec) {
            int p = a2port(value);
            if (p < 0) {
                throw new IllegalArgumentException("Invalid test mode specification " + spec);
            }
            return p;
        }
    }

    /** sshd's a2port: a port number 1-65535, or -1. */
    static int a2port(String value) {
        try {
            int p = Integer.parseInt(value);
            return p > 0 && p <= 65535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A keyword line inside the block, where it was read. */
    record Line(String keyword, String value, String file, int line) {
    }

    private record Criterion(String attribute, String patterns) {
    }

    private final List<Criterion> criteria;
    private final List<Line> lines = new ArrayList<>();

    private SshdMatch(List<Criterion> criteria) {
        this.criteria = criteria;
    }

    /** The criteria of a {@code Match} line, with sshd's messages for a bad one. */
    static SshdMatch parse(String value, String where, int line) {
        List<String> words = List.of(value.trim().split("\\s+"));
        List<Criterion> criteria = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String attribute = words.get(i);
            String a = attribute.toLowerCase(Locale.ROOT);
            if (a.equals("all")) {
                if (words.size() != 1) {
                    throw bad(where, line, "'all' cannot be combined with other Match attributes");
                }
                break;
            }
            if (!List.of("user", "group", "host", "address", "localaddress", "localport").contains(a)) {
                throw bad(where, line, "Unsupported Match attribute " + attribute);
            }
            if (i + 1 >= words.size()) {
                throw bad(where, line, "Missing Match criteria for " + attribute);
            }
            String patterns = words.get(++i);
            if (a.equals("localport") && a2port(patterns) < 0) {
                throw bad(where, line, "Invalid LocalPort '" + patterns + "' on Match line");
            }
            criteria.add(new Criterion(a, patterns));
        }
        return new SshdMatch(List.copyOf(criteria));
    }

    private static IllegalArgumentException bad(String where, int line, String why) {
        return new IllegalArgumentException(why + "\n" + where + " line " + line + ": Bad Match condition");
    }

    /** Whether the block applies to the connection. */
    boolean matches(Connection c) {
        for (Criterion k : criteria) {
            boolean hit = switch (k.attribute()) {
                case "user" -> c.user() != null && Patterns.matchesList(c.user(), k.patterns());
                case "group" -> c.user() != null && groupMatches(UnixGroups.of(c.user()), k.patterns());
                case "host" -> c.host() != null
                        && Patterns.matchesList(c.host().toLowerCase(Locale.ROOT), k.patterns());
                case "address" -> c.address() != null && addressMatches(c.address(), k.patterns());
                case "localaddress" -> c.localAddress() != null && addressMatches(c.localAddress(), k.patterns());
                default -> c.localPort() == Integer.parseInt(k.patterns());
            };
            if (!hit) {
                return false;
            }
        }
        return true;
    }

    /** Whether the block has a LocalPort criterion. */
    boolean hasLocalPort() {
        return criteria.stream().anyMatch(c -> c.attribute().equals("localport"));
    }

    /** sshd's ga_match_pattern_list: some group matches, and a negated pattern matching any group vetoes. */
    static boolean groupMatches(List<String> groups, String list) {
        boolean found = false;
        for (String group : groups) {
            for (String p : list.split(",", -1)) {
                boolean negated = p.startsWith("!");
                if (Patterns.matches(group, negated ? p.substring(1) : p)) {
                    if (negated) {
                        return false;
                    }
                    found = true;
                }
            }
        }
        return found;
    }

    /** sshd's addr_match_list: address patterns or CIDR blocks, a {@code !} entry vetoing. */
    private static boolean addressMatches(String address, String list) {
        boolean matched = false;
        for (String entry : list.split(",")) {
            boolean negated = entry.startsWith("!");
            String e = negated ? entry.substring(1) : entry;
            boolean hit = e.contains("/") ? inCidr(address, e) : Patterns.matches(address, e);
            if (hit && negated) {
                return false;
            }
            matched |= hit;
        }
        return matched;
    }

    private static boolean inCidr(String address, String cidr) {
        try {
            int slash = cidr.indexOf('/');
            byte[] net = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            byte[] a = InetAddress.getByName(address).getAddress();
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            if (net.length != a.length || bits < 0 || bits > net.length * 8) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((net[i / 8] & mask) != (a[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }

    /**
     * Adds a keyword line to the block: sshd's check that the keyword may appear in Match, then {@code check} (the
     * value checked as a global line is, with the same errors), then Sluice's own limit: a keyword it applies to the
     * whole server only (LogLevel) is refused rather than applied to everyone.
     */
    void add(String keyword, String value, String where, int line, Runnable check) {
        String k = keyword.toLowerCase(Locale.ROOT);
        if (NOT_IN_MATCH.contains(k)) {
            throw new IllegalArgumentException(where + " line " + line + ": Directive '" + keyword
                    + "' is not allowed within a Match block");
        }
        check.run();
        if (!APPLIED.contains(k)) {
            throw new IllegalArgumentException(where + " line " + line + ": Directive '" + keyword
                    + "' is not supported within a Match block by sluice server");
        }
        lines.add(new Line(keyword, value, where, line));
    }

    /** The block's keyword lines, in file order. */
    List<Line> lines() {
        return lines;
    }

    /**
     * The keyword a line sets, for sshd's first-value-wins: ChallengeResponseAuthentication is
     * KbdInteractiveAuthentication.
     */
    static String setting(String keyword) {
        String k = keyword.toLowerCase(Locale.ROOT);
        return k.equals("challengeresponseauthentication") ? "kbdinteractiveauthentication" : k;
    }

    /**
     * A user's groups as the system's files list them: the primary group from /etc/passwd, the others from
     * /etc/group (what getgrouplist gives with files-only NSS, the case here).
     */
    static final class UnixGroups {
        private UnixGroups() {
        }

        static List<String> of(String user) {
            return of(user, Path.of("/etc/passwd"), Path.of("/etc/group"));
        }

        static List<String> of(String user, Path passwd, Path group) {
            Set<String> groups = new LinkedHashSet<>();
            try {
                String gid = null;
                for (String l : Files.readAllLines(passwd)) {
                    String[] f = l.split(":", -1);
                    if (f.length > 3 && f[0].equals(user)) {
                        gid = f[3];
                        break;
                    }
                }
                if (gid == null) {
                    // sshd: no such user, no groups, so Match Group does not apply.
                    return List.of();
                }
                for (String l : Files.readAllLines(group)) {
                    String[] f = l.split(":", -1);
                    if (f.length > 3 && (f[2].equals(gid) || List.of(f[3].split(",")).contains(user))) {
                        groups.add(f[0]);
                    }
                }
            } catch (IOException e) {
                return List.of();
            }
            return List.copyOf(groups);
        }
    }
}
