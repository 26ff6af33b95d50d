package dev.sluice.forwarding;

import java.util.ArrayList;
import java.util.List;

/**
 * One remote forwarding, {@code ssh -R [bind_address:]port:host:hostport}: the server listens on
 * {@code bindAddress:bindPort} and every connection it accepts there is connected from here to {@code host:hostPort}.
 * Or reverse dynamic forwarding, {@code ssh -R [bind_address:]port} (OpenSSH 7.6+): {@code host} is null and
 * {@code hostPort} 0, and each connection carries a SOCKS request that this side serves, connecting wherever it asks.
 *
 * @param bindAddress the address the server should listen on as written, or null when none was given (ssh then
 *        asks for {@code localhost}); {@code ""} and {@code "*"} ask for all interfaces. The server's GatewayPorts
 *        decides what is really bound.
 * @param bindPort the server's port, 0 to have the server allocate one
 * @param host the destination, resolved here; null for reverse dynamic forwarding
 * @param hostPort the destination port; 0 for reverse dynamic forwarding
 */
public record RemoteForward(String bindAddress, int bindPort, String host, int hostPort) {
    /** OpenSSH's limit for host names in forwardings (NI_MAXHOST). */
    private static final int MAX_HOST = 1025;

    public RemoteForward {
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bad listen port " + bindPort);
        }
        if (host == null) {
            if (hostPort != 0) {
                throw new IllegalArgumentException("a reverse dynamic forward has no connect port: " + hostPort);
            }
        } else if (hostPort < 1 || hostPort > 65535) {
            throw new IllegalArgumentException("bad connect port " + hostPort);
        } else if (host.isEmpty() || host.length() >= MAX_HOST) {
            throw new IllegalArgumentException("bad connect host \"" + host + "\"");
        }
        if (bindAddress != null && bindAddress.length() >= MAX_HOST) {
            throw new IllegalArgumentException("bad listen address");
        }
    }

    /** A reverse dynamic (SOCKS) forwarding, {@code ssh -R [bind_address:]port}. */
    public static RemoteForward dynamic(String bindAddress, int bindPort) {
        return new RemoteForward(bindAddress, bindPort, null, 0);
    }

    /** Whether this is reverse dynamic forwarding: this side is the SOCKS server for each forwarded connection. */
    public boolean isDynamic() {
        return host == null;
    }

    /**
     * The destination as ssh names it in its messages ("Allocated port N for remote forward to DEST"):
     * {@code host:hostport}, or {@code socks:0} for reverse dynamic forwarding.
     */
    public String destination() {
        return isDynamic() ? "socks:0" : host + ":" + hostPort;
    }

    /**
     * The address field of the {@code tcpip-forward} request, as ssh's {@code channel_rfwd_bind_host} writes it:
     * {@code localhost} when no bind address was given, {@code ""} for {@code ""} or {@code *}, else the address.
     */
    public String requestAddress() {
        if (bindAddress == null) {
            return "localhost";
        }
        return bindAddress.isEmpty() || bindAddress.equals("*") ? "" : bindAddress;
    }

    /**
     * Parses the argument of {@code -R} as OpenSSH's {@code parse_forward} does for remote forwardings: fields
     * separated by {@code :}, a field in square brackets taken literally (IPv6 addresses); one field is
     * {@code port} and two {@code bind_address:port} (reverse dynamic forwarding), three {@code port:host:hostport},
     * four {@code bind_address:port:host:hostport}; the listen port may be 0. The RemoteForward keyword's two
     * arguments are parsed by joining them with {@code :}. Unix-domain sockets are not supported.
     *
     * @throws IllegalArgumentException with the text ssh prints, "Bad remote forwarding specification 'SPEC'"
     */
    public static RemoteForward parse(String spec) {
        List<String> fields = split(spec);
        if (fields == null) {
            throw bad(spec);
        }
        for (String f : fields) {
            if (f.indexOf('/') >= 0) {
                throw new IllegalArgumentException("Bad remote forwarding specification '" + spec
                        + "': Unix-domain socket forwarding is not supported");
            }
        }
        try {
            if (fields.size() == 1) {
                return dynamic(null, port(fields.get(0)));
            }
            if (fields.size() == 2) {
                return dynamic(fields.get(0), port(fields.get(1)));
            }
            if (fields.size() == 3) {
                return new RemoteForward(null, port(fields.get(0)), fields.get(1), port(fields.get(2)));
            }
            if (fields.size() == 4) {
                return new RemoteForward(fields.get(0), port(fields.get(1)), fields.get(2), port(fields.get(3)));
            }
        } catch (IllegalArgumentException e) {
            throw bad(spec);
        }
        throw bad(spec);
    }

    /** The spec in ssh(1)'s form, brackets around addresses with colons; {@link #parse} reads it back. */
    public String toSpec() {
        String listen = bindAddress == null ? String.valueOf(bindPort) : bracket(bindAddress) + ":" + bindPort;
        return isDynamic() ? listen : listen + ":" + bracket(host) + ":" + hostPort;
    }

    private static String bracket(String s) {
        return s.indexOf(':') >= 0 ? "[" + s + "]" : s;
    }

    /** Splits at colons outside brackets, unescaping backslashes; null when malformed. At most 4 fields. */
    private static List<String> split(String spec) {
        List<String> fields = new ArrayList<>(4);
        String rest = spec.strip();
        while (!rest.isEmpty() && fields.size() < 4) {
            if (rest.charAt(0) == '[') {
                int end = rest.indexOf(']');
                if (end < 0 || (end + 1 < rest.length() && rest.charAt(end + 1) != ':')) {
                    return null;
                }
                fields.add(rest.substring(1, end));
                rest = end + 2 <= rest.length() ? rest.substring(end + 2) : "";
                continue;
            }
            StringBuilder field = new StringBuilder();
            int i = 0;
            boolean separator = false;
            for (; i < rest.length(); i++) {
                char c = rest.charAt(i);
                if (c == '\\') {
                    if (++i == rest.length()) {
                        return null;
                    }
                    field.append(rest.charAt(i));
                } else if (c == ':') {
                    separator = true;
                    break;
                } else {
                    field.append(c);
                }
            }
            fields.add(field.toString());
            rest = separator ? rest.substring(i + 1) : "";
        }
        return rest.isEmpty() ? fields : null;
    }

    /** OpenSSH's {@code a2port} for numbers: 0 to 65535, decimal digits only. */
    private static int port(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad port " + s);
        }
        int p = Integer.parseInt(s);
        if (p > 65535) {
            throw new IllegalArgumentException("bad port " + s);
        }
        return p;
    }

    private static IllegalArgumentException bad(String spec) {
        return new IllegalArgumentException("Bad remote forwarding specification '" + spec + "'");
    }
}
