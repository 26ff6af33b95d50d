package dev.sluice.forwarding;

import java.util.ArrayList;
import java.util.List;

/**
 * One local forwarding, {@code ssh -L [bind_address:]port:host:hostport}: listen on {@code bindAddress:bindPort} here
 * and have the server connect to {@code host:hostPort} for every accepted connection.
 *
 * @param bindAddress the address to listen on as written, or null when none was given (then GatewayPorts decides:
 *        loopback only unless it is set). {@code ""} and {@code "*"} mean all interfaces, {@code "localhost"} the
 *        loopback addresses of both families, as in ssh(1).
 * @param bindPort the local port, 0 to let the system choose (programmatic use; ssh(1) refuses 0)
 * @param host the destination as the server should resolve it
 * @param hostPort the destination port
 */
public record LocalForward(String bindAddress, int bindPort, String host, int hostPort) {
    /** OpenSSH's limit for host names in forwardings (NI_MAXHOST). */
    private static final int MAX_HOST = 1025;

    public LocalForward {
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bad listen port " + bindPort);
        }
        if (hostPort < 1 || hostPort > 65535) {
            throw new IllegalArgumentException("bad connect port " + hostPort);
        }
        if (host.isEmpty() || host.length() >= MAX_HOST) {
            throw new IllegalArgumentException("bad connect host \"" + host + "\"");
        }
        if (bindAddress != null && bindAddress.length() >= MAX_HOST) {
            throw new IllegalArgumentException("bad listen address");
        }
    }

    /**
     * Parses the argument of {@code -L} as OpenSSH's {@code parse_forward} does: fields separated by {@code :},
     * a field in square brackets taken literally (IPv6 addresses), a backslash escaping the next character; three
     * fields are {@code port:host:hostport}, four {@code bind_address:port:host:hostport}. A field with {@code /}
     * would be a Unix-domain socket path, which is not supported. The LocalForward keyword of ssh_config, whose two
     * arguments are {@code [bind_address:]port} and {@code host:hostport}, is parsed by joining them with {@code :}.
     *
     * @throws IllegalArgumentException with the text ssh prints, "Bad local forwarding specification 'SPEC'"
     */
    public static LocalForward parse(String spec) {
        List<String> fields = new ArrayList<>(4);
        boolean path = false;
        String rest = spec.stripLeading();
        while (!rest.isEmpty() && fields.size() < 4) {
            if (rest.charAt(0) == '[') {
                int end = rest.indexOf(']');
                if (end < 0 || (end + 1 < rest.length() && rest.charAt(end + 1) != ':')) {
                    throw bad(spec);
                }
                String field = rest.substring(1, end);
                path |= field.indexOf('/') >= 0;
                fields.add(field);
                rest = end + 2 <= rest.length() ? rest.substring(Math.min(end + 2, rest.length())) : "";
                continue;
            }
            StringBuilder field = new StringBuilder();
            int i = 0;
            boolean separator = false;
            for (; i < rest.length(); i++) {
                char c = rest.charAt(i);
                if (c == '\\') {
                    if (++i == rest.length()) {
                        throw bad(spec);
                    }
                    field.append(rest.charAt(i));
                } else if (c == ':') {
                    separator = true;
                    break;
                } else {
                    path |= c == '/';
                    field.append(c);
                }
            }
            fields.add(field.toString());
            rest = separator ? rest.substring(i + 1) : "";
        }
        if (!rest.isEmpty()) {
            throw bad(spec);
        }
        if (path) {
            throw new IllegalArgumentException("Bad local forwarding specification '" + spec
                    + "': Unix-domain socket forwarding is not supported");
        }
        try {
            LocalForward f;
            if (fields.size() == 3) {
                f = new LocalForward(null, port(fields.get(0)), fields.get(1), port(fields.get(2)));
            } else if (fields.size() == 4) {
                f = new LocalForward(fields.get(0), port(fields.get(1)), fields.get(2), port(fields.get(3)));
            } else {
                throw bad(spec);
            }
            if (f.bindPort() == 0) {
                throw bad(spec); // ssh(1) refuses listen port 0 for -L (parse_forward: !remotefwd && listen_port == 0)
            }
            return f;
        } catch (IllegalArgumentException e) {
            throw bad(spec);
        }
    }

    /** The spec in ssh(1)'s form, brackets around addresses with colons; {@link #parse} reads it back. */
    public String toSpec() {
        String connect = bracket(host) + ":" + hostPort;
        return bindAddress == null ? bindPort + ":" + connect : bracket(bindAddress) + ":" + bindPort + ":" + connect;
    }

    private static String bracket(String s) {
        return s.indexOf(':') >= 0 || s.indexOf('\\') >= 0 ? "[" + s + "]" : s;
    }

    /** OpenSSH's {@code a2port} for numbers: 0 to 65535, decimal digits only (service names are not looked up). */
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
        return new IllegalArgumentException("Bad local forwarding specification '" + spec + "'");
    }
}
