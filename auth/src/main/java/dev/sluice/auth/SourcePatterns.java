package dev.sluice.auth;

import dev.sluice.transport.key.HostPatterns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * sshd's {@code from=} and Match Address matching (match.c match_host_and_ip, addr.c addr_match_list): a
 * comma-separated list of host and address patterns with {@code *}/{@code ?} wildcards, {@code !} negation and
 * CIDR networks ({@code 192.168.0.0/16}, {@code 2001:db8::/32}). A network with host bits set beyond its mask
 * ({@code 10.0.0.1/8}) makes the whole list an error, which refuses the key as sshd does.
 */
final class SourcePatterns {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private SourcePatterns() {
    }

    /** Whether {@code address} (a literal IP, no DNS is done) matches the list and no negated entry does. */
    static boolean matches(String address, String patterns) {
        int byName = HostPatterns.matchList(address, patterns);
        int byAddress = matchAddressList(address, patterns);
        if (byAddress == -2 || byName == -1 || byAddress == -1) {
            return false;
        }
        return byName == 1 || byAddress == 1;
    }

    /** addr_match_list: 1 on a positive match, -1 on a negated match, 0 for none, -2 for a malformed network. */
    static int matchAddressList(String address, String patterns) {
        byte[] addr = literal(address);
        int result = 0;
        for (String entry : patterns.split(",", -1)) {
            boolean negated = entry.startsWith("!");
            String p = negated ? entry.substring(1) : entry;
            if (p.isEmpty()) {
                return -2;
            }
            int slash = p.indexOf('/');
            byte[] network = literal(slash < 0 ? p : p.substring(0, slash));
            boolean found;
            if (network == null) {
                if (slash >= 0) {
                    return -2;
                }
                found = HostPatterns.matchGlob(address.toLowerCase(java.util.Locale.ROOT),
                        p.toLowerCase(java.util.Locale.ROOT));
            } else {
                int bits = network.length * 8;
                int mask;
                try {
                    mask = slash < 0 ? bits : Integer.parseInt(p.substring(slash + 1));
                } catch (NumberFormatException e) {
                    return -2;
                }
                if (mask < 0 || mask > bits || !hostBitsClear(network, mask)) {
                    return -2;
                }
                found = addr != null && addr.length == network.length && sameNetwork(addr, network, mask);
            }
            if (found) {
                if (negated) {
                    return -1;
                }
                result = 1;
            }
        }
        return result;
    }

    /** The bytes of an IPv4 or IPv6 literal, or null if {@code s} is not one (never a DNS lookup). */
    static byte[] literal(String s) {
        java.util.regex.Matcher m = IPV4.matcher(s);
        if (m.matches()) {
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                b[i] = (byte) octet;
            }
            return b;
        }
        if (IPV6.matcher(s).matches()) {
            try {
                // A string with a colon is parsed as an IPv6 literal, never looked up.
                byte[] b = InetAddress.getByName(s).getAddress();
                return b;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean hostBitsClear(byte[] network, int mask) {
        for (int bit = mask; bit < network.length * 8; bit++) {
            if ((network[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameNetwork(byte[] a, byte[] network, int mask) {
        for (int bit = 0; bit < mask; bit++) {
            int m = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & m) != (network[bit / 8] & m)) {
                return false;
            }
        }
        return true;
    }
}
