package dev.sluice.forwarding;

import java.util.ArrayList;
import java.util.List;

/**
 * One local forwarding, {@code ssh -L}: listen on {@code bindAddress:bindPort} (or on the Unix-domain socket
 * {@code bindPath}) here, and have the server connect to {@code host:hostPort} (or to the Unix-domain socket
 * {@code connectPath}) for every accepted connection.
 *
 * @param bindAddress the address to listen on as written, or null when none was given (then GatewayPorts decides:
 *        loopback only unless it is set). {@code ""} and {@code "*"} mean all interfaces, {@code "localhost"} the
 *        loopback addresses of both families, as in ssh(1). Null when listening on a socket path.
 * @param bindPort the local port, 0 to let the system choose (programmatic use; ssh(1) refuses 0); 0 with a path
 * @param host the destination as the server should resolve it; null when connecting to a socket path
 * @param hostPort the destination port; 0 with a path
 * @param bindPath the Unix-domain socket to listen on instead of a port, or null
 * @param connectPath the Unix-domain socket on the server to connect to instead of a host ({@code
 *        direct-streamlocal@openssh.com}), or null
 */
public record LocalForward(String bindAddress, int bindPort, String host, int hostPort, String bindPath,
        String connectPath) {
    /** OpenSSH's limit for host names in forwardings (NI_MAXHOST). */
    private static final int MAX_HOST = 1025;
    /** The size of {@code sun_path}: a socket path must be shorter (OpenSSH's PATH_MAX_SUN). */
    private static final int MAX_PATH = 108;

    public LocalForward {
        if (bindPath != null) {
            if (bindPath.isEmpty() || bindPath.length() >= MAX_PATH || bindAddress != null || bindPort != 0) {
                throw new IllegalArgumentException("bad listen path \"" + bindPath + "\"");
            }
        } else if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bad listen port " + bindPort);
        }
        if (connectPath != null) {
            if (connectPath.isEmpty() || connectPath.length() >= MAX_PATH || host != null || hostPort != 0) {
                throw new IllegalArgumentException("bad connect path \"" + connectPath + "\"");
            }
        } else {
            if (hostPort < 1 || hostPort > 65535) {
                throw new IllegalArgumentException("bad connect port " + hostPort);
            }
            if (host == null || host.isEmpty() || host.length() >= MAX_HOST) {
                throw new IllegalArgumentException("bad connect host \"" + host + "\"");
            }
        }
        if (bindAddress != null && bindAddress.length() >= MAX_HOST) {
            throw new IllegalArgumentException("bad listen address");
        }
    }

    /** A TCP-to-TCP forward, {@code [bind_address:]port:host:hostport}. */
    public LocalForward(String bindAddress, int bindPort, String host, int hostPort) {
        this(bindAddress, bindPort, host, hostPort, null, null);
    }

    /**
     * Parses the argument of {@code -L} as OpenSSH's {@code parse_forward} does: fields separated by {@code :},
     * a field in square brackets taken literally (IPv6 addresses), a backslash escaping the next character, a field
     * with {@code /} (outside brackets) a Unix-domain socket path. Accepted forms: {@code port:host:hostport},
     * {@code bind_address:port:host:hostport}, {@code [bind_address:]port:/remote/socket},
     * {@code /local/socket:host:hostport} and {@code /local/socket:/remote/socket}. The LocalForward keyword of
     * ssh_config, whose two arguments are the listen and the connect part, is parsed by joining them with {@code :}.
     *
     * @throws IllegalArgumentException with the text ssh prints, "Bad local forwarding specification 'SPEC'"
     */
    public static LocalForward parse(String spec) {
        List<String> fields = new ArrayList<>(4);
        List<Boolean> paths = new ArrayList<>(4);
        String rest = spec.stripLeading();
        while (!rest.isEmpty() && fields.size() < 4) {
            if (rest.charAt(0) == '[') {
                int end = rest.indexOf(']');
                if (end < 0 || (end + 1 < rest.length() && rest.charAt(end + 1) != ':')) {
                    throw bad(spec);
                }
                fields.add(rest.substring(1, end));
                paths.add(false);
                rest = end + 2 <= rest.length() ? rest.substring(Math.min(end + 2, rest.length())) : "";
                continue;
            }
            StringBuilder field = new StringBuilder();
            boolean path = false;
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
            paths.add(path);
            rest = separator ? rest.substring(i + 1) : "";
        }
        if (!rest.isEmpty()) {
            throw bad(spec);
        }
        try {
            LocalForward f;
            int n = fields.size();
            if (n == 2 && paths.get(0) && paths.get(1)) {
                f = new LocalForward(null, 0, null, 0, fields.get(0), fields.get(1));
            } else if (n == 2 && paths.get(1)) {
                f = new LocalForward(null, port(fields.get(0)), null, 0, null, fields.get(1));
            } else if (n == 3 && paths.get(0)) {
                f = new LocalForward(null, 0, fields.get(1), port(fields.get(2)), fields.get(0), null);
            } else if (n == 3 && paths.get(2)) {
                f = new LocalForward(fields.get(0), port(fields.get(1)), null, 0, null, fields.get(2));
            } else if (n == 3) {
                f = new LocalForward(null, port(fields.get(0)), fields.get(1), port(fields.get(2)));
            } else if (n == 4) {
                f = new LocalForward(fields.get(0), port(fields.get(1)), fields.get(2), port(fields.get(3)));
            } else {
                throw bad(spec);
            }
            if (f.bindPath() == null && f.bindPort() == 0) {
                throw bad(spec); // ssh(1) refuses listen port 0 for -L (parse_forward: !remotefwd && listen_port == 0)
            }
            return f;
        } catch (IllegalArgumentException e) {
            throw bad(spec);
        }
    }

    /** The spec in ssh(1)'s form, brackets around addresses with colons; {@link #parse} reads it back. */
    public String toSpec() {
        String connect = connectPath != null ? escape(connectPath) : bracket(host) + ":" + hostPort;
        if (bindPath != null) {
            return escape(bindPath) + ":" + connect;
        }
        return bindAddress == null ? bindPort + ":" + connect : bracket(bindAddress) + ":" + bindPort + ":" + connect;
    }

    private static String bracket(String s) {
        return s.indexOf(':') >= 0 || s.indexOf('\\') >= 0 ? "[" + s + "]" : s;
    }

    /** A path with its colons and backslashes escaped (a bracketed field would not count as a path). */
    private static String escape(String path) {
        return path.replace("\\", "\\\\").replace(":", "\\:");
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
