package dev.sluice.cli;

import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.GatewayPorts;
import dev.sluice.forwarding.PermitList;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * One {@code Match} block of sluice server's sshd_config: its criteria ({@code User}, {@code Address},
 * {@code LocalPort}, {@code All}, each a pattern list with negation, Address also CIDR) and the forwarding keywords
 * it sets (AllowTcpForwarding, PermitOpen, PermitListen, GatewayPorts, DisableForwarding). As in sshd, a block's
 * first value of a keyword counts, and the first matching block that sets a keyword overrides the global value.
 */
final class SshdMatch {
    private record Criterion(String attribute, String patterns) {
    }

    private final List<Criterion> criteria;
    private AllowTcpForwarding allowTcpForwarding;
    private Boolean disableForwarding;
    private PermitList permitOpen;
    private PermitList permitListen;
    private GatewayPorts gatewayPorts;
    private Boolean allowAgentForwarding;

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
            if (!a.equals("user") && !a.equals("address") && !a.equals("localport")) {
                throw bad(where, line, "Unsupported Match attribute " + attribute);
            }
            if (i + 1 >= words.size()) {
                throw bad(where, line, "Missing Match criteria for " + attribute);
            }
            criteria.add(new Criterion(a, words.get(++i)));
        }
        return new SshdMatch(List.copyOf(criteria));
    }

    private static IllegalArgumentException bad(String where, int line, String why) {
        return new IllegalArgumentException(why + "\n" + where + " line " + line + ": Bad Match condition");
    }

    /** Whether the block applies to a connection of {@code user} from {@code address} to local port {@code port}. */
    boolean matches(String user, String address, int localPort) {
        for (Criterion c : criteria) {
            boolean hit = switch (c.attribute()) {
                case "user" -> Patterns.matchesList(user, c.patterns());
                case "address" -> addressMatches(address, c.patterns());
                default -> Patterns.matchesList(Integer.toString(localPort), c.patterns());
            };
            if (!hit) {
                return false;
            }
        }
        return true;
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
     * A keyword inside the block. Only the forwarding keywords are supported in Match blocks; any other is refused
     * rather than applied to every connection.
     */
    void set(String keyword, String value, String where, int line) {
        try {
            switch (keyword.toLowerCase(Locale.ROOT)) {
                case "allowtcpforwarding" -> {
                    AllowTcpForwarding v = parsed(where, line, "unsupported option \"" + value + "\".",
                            () -> AllowTcpForwarding.parse(value));
                    allowTcpForwarding = allowTcpForwarding == null ? v : allowTcpForwarding;
                }
                case "disableforwarding" -> {
                    boolean v = parsed(where, line, "unsupported option \"" + value + "\".",
                            () -> yesNo(value));
                    disableForwarding = disableForwarding == null ? v : disableForwarding;
                }
                case "permitopen" -> {
                    PermitList v = PermitList.parseOpen(value);
                    permitOpen = permitOpen == null ? v : permitOpen;
                }
                case "permitlisten" -> {
                    PermitList v = PermitList.parseListen(value);
                    permitListen = permitListen == null ? v : permitListen;
                }
                case "gatewayports" -> {
                    GatewayPorts v = parsed(where, line, "unsupported option \"" + value + "\".",
                            () -> GatewayPorts.parse(value));
                    gatewayPorts = gatewayPorts == null ? v : gatewayPorts;
                }
                case "allowagentforwarding" -> {
                    boolean v = parsed(where, line, "unsupported option \"" + value + "\".", () -> yesNo(value));
                    allowAgentForwarding = allowAgentForwarding == null ? v : allowAgentForwarding;
                }
                default -> throw new IllegalArgumentException(where + " line " + line + ": Directive '" + keyword
                        + "' is not supported within a Match block by sluice server");
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(where + " line ")) {
                throw e;
            }
            throw new IllegalArgumentException(where + " line " + line + ": " + e.getMessage(), e);
        }
    }

    private static boolean yesNo(String value) {
        if (value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("no")) {
            return value.equalsIgnoreCase("yes");
        }
        throw new IllegalArgumentException(value);
    }

    private static <T> T parsed(String where, int line, String message, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " line " + line + ": " + message, e);
        }
    }

    /** AllowAgentForwarding for one connection: the first matching block that sets it, else {@code base}. */
    static boolean allowAgentForwarding(boolean base, List<SshdMatch> blocks, String user, String address,
            int localPort) {
        for (SshdMatch m : blocks) {
            if (m.allowAgentForwarding != null && m.matches(user, address, localPort)) {
                return m.allowAgentForwarding;
            }
        }
        return base;
    }

    /** {@code base} with the settings of the first matching block for each keyword. */
    static ForwardingPolicy apply(ForwardingPolicy base, List<SshdMatch> blocks, String user, String address,
            int localPort) {
        AllowTcpForwarding allow = null;
        Boolean disable = null;
        PermitList open = null;
        PermitList listen = null;
        GatewayPorts gateway = null;
        for (SshdMatch m : blocks) {
            if (!m.matches(user, address, localPort)) {
                continue;
            }
            allow = allow != null ? allow : m.allowTcpForwarding;
            disable = disable != null ? disable : m.disableForwarding;
            open = open != null ? open : m.permitOpen;
            listen = listen != null ? listen : m.permitListen;
            gateway = gateway != null ? gateway : m.gatewayPorts;
        }
        return new ForwardingPolicy(allow != null ? allow : base.allowTcpForwarding(),
                disable != null ? disable : base.disableForwarding(), open != null ? open : base.permitOpen(),
                listen != null ? listen : base.permitListen(), gateway != null ? gateway : base.gatewayPorts());
    }
}
