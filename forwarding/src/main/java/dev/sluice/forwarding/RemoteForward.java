package dev.sluice.forwarding;

import java.util.ArrayList;
import java.util.List;

/**
 * One remote forwarding, {@code ssh -R [bind_address:]port:host:hostport}: the server listens on
 * {@code bindAddress:bindPort} (or on the Unix-domain socket {@code bindPath}, {@code streamlocal-forward@openssh.com})
 * and every connection it accepts there is connected from here to {@code host:hostPort} (or to the Unix-domain socket
 * {@code connectPath} here). Or reverse dynamic forwarding, {@code ssh -R [bind_address:]port} (OpenSSH 7.6+):
 * {@code host} and {@code connectPath} are null and {@code hostPort} 0, and each connection carries a SOCKS request
 * that this side serves, connecting wherever it asks.
 *
 * @param bindAddress the address the server should listen on as written, or null when none was given (ssh then
 *        asks for {@code localhost}); {@code ""} and {@code "*"} ask for all interfaces. The server's GatewayPorts
 *        decides what is really bound. Null with a path.
 * @param bindPort the server's port, 0 to have the server allocate one; 0 with a path
 * @param host the destination, resolved here; null for reverse dynamic forwarding or a connect path
 * @param hostPort the destination port; 0 for reverse dynamic forwarding or a connect path
 * @param bindPath the Unix-domain socket the server should listen on instead of a port, or null
 * @param connectPath the Unix-domain socket here to connect to instead of a host, or null
 */
public record RemoteForward(String bindAddress, int bindPort, String host, int hostPort, String bindPath,
        String connectPath) {
    /** OpenSSH's limit for host names in forwardings (NI_MAXHOST). */
    private static final int MAX_HOST = 1025;
    /** The size of {@code sun_path}: a socket path must be shorter (OpenSSH's PATH_MAX_SUN). */
    private static final int MAX_PATH = 108;

    public RemoteForward {
        if (bindPath != null) {
            if (bindPath.isEmpty() || bindPath.length() >= MAX_PATH || bindAddress != null || bindPort != 0) {
                throw new IllegalArgumentException("bad listen path \"" + bindPath + "\"");
            }
            if (host == null && connectPath == null) {
                // ssh would send the request but could never connect what arrives: it has no SOCKS server there.
                throw new IllegalArgumentException("a socket path cannot be a reverse dynamic forward");
            }
        } else if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bad listen port " + bindPort);
        }
        if (connectPath != null) {
            if (connectPath.isEmpty() || connectPath.length() >= MAX_PATH || host != null || hostPort != 0) {
                throw new IllegalArgumentException("bad connect path \"" + connectPath + "\"");
            }
        } else if (host == null) {
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

    /** A TCP-to-TCP forwarding, {@code [bind_address:]port:host:hostport}, or reverse dynamic with a null host. */
    public RemoteForward(String bindAddress, int bindPort, String host, int hostPort) {
        this(bindAddress, bindPort, host, hostPort, null, null);
    }

    /** A reverse dynamic (SOCKS) forwarding, {@code ssh -R [bind_address:]port}. */
    public static RemoteForward dynamic(String bindAddress, int bindPort) {
        return new RemoteForward(bindAddress, bindPort, null, 0);
    }

    /** Whether this is reverse dynamic forwarding: this side is the SOCKS server for each forwarded connection. */
    public boolean isDynamic() {
        return host == null && connectPath == null;
    }

    /**
     * The destination as ssh names it in its messages ("Allocated port N for remote forward to DEST"):
     * {@code host:hostport}, the connect path, or {@code socks:0} for reverse dynamic forwarding.
     */
    public String destination() {
        if (connectPath != null) {
            return connectPath;
        }
        return isDynamic() ? "socks:0" : host + ":" + hostPort;
    }

    /**
     * What ssh names the listening side in "remote port forwarding failed for listen port N" (or "… listen path P"):
     * {@code "port N"} or {@code "path P"}.
     */
    public String listenDescription() {
        return bindPath != null ? "path " + bindPath : "port " + bindPort;
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
     * separated by {@code :}, a field in square brackets taken literally (IPv6 addresses), a backslash escaping the
     * next character, a field with {@code /} (outside brackets) a Unix-domain socket path. One field is
     * {@code port} and two {@code bind_address:port} (reverse dynamic forwarding); {@code port:host:hostport},
     * {@code bind_address:port:host:hostport}, {@code [bind_address:]port:/local/socket},
     * {@code /remote/socket:host:hostport} and {@code /remote/socket:/local/socket}; the listen port may be 0. The
     * RemoteForward keyword's two arguments are parsed by joining them with {@code :}.
     *
     * @throws IllegalArgumentException with the text ssh prints, "Bad remote forwarding specification 'SPEC'"
     */
    public static RemoteForward parse(String spec) {
        List<String> fields = new ArrayList<>(4);
        List<Boolean> paths = new ArrayList<>(4);
        if (!split(spec, fields, paths)) {
            throw bad(spec);
        }
        int n = fields.size();
        try {
            if (n == 1 && !paths.get(0)) {
                return dynamic(null, port(fields.get(0)));
            }
            if (n == 2 && paths.get(0) && paths.get(1)) {
                return new RemoteForward(null, 0, null, 0, fields.get(0), fields.get(1));
            }
            if (n == 2 && paths.get(1)) {
                return new RemoteForward(null, port(fields.get(0)), null, 0, null, fields.get(1));
            }
            if (n == 2 && !paths.get(0)) {
                return dynamic(fields.get(0), port(fields.get(1)));
            }
            if (n == 3 && paths.get(0)) {
                return new RemoteForward(null, 0, fields.get(1), port(fields.get(2)), fields.get(0), null);
            }
            if (n == 3 && paths.get(2)) {
                return new RemoteForward(fields.get(0), port(fields.get(1)), null, 0, null, fields.get(2));
            }
            if (n == 3 && !paths.get(1)) {
                return new RemoteForward(null, port(fields.get(0)), fields.get(1), port(fields.get(2)));
            }
            if (n == 4 && !paths.get(0) && !paths.get(2)) {
                return new RemoteForward(fields.get(0), port(fields.get(1)), fields.get(2), port(fields.get(3)));
            }
        } catch (IllegalArgumentException e) {
            throw bad(spec);
        }
        throw bad(spec);
    }

    /** The spec in ssh(1)'s form, brackets around addresses with colons; {@link #parse} reads it back. */
    public String toSpec() {
        String listen = bindPath != null ? escape(bindPath)
                : bindAddress == null ? String.valueOf(bindPort) : bracket(bindAddress) + ":" + bindPort;
        if (connectPath != null) {
            return listen + ":" + escape(connectPath);
        }
        return isDynamic() ? listen : listen + ":" + bracket(host) + ":" + hostPort;
    }

    private static String bracket(String s) {
        return s.indexOf(':') >= 0 || s.indexOf('\\') >= 0 ? "[" + s + "]" : s;
    }

    /** A path with its colons and backslashes escaped (a bracketed field would not count as a path). */
    private static String escape(String path) {
        return path.replace("\\", "\\\\").replace(":", "\\:");
    }

    /**
     * Splits at colons outside brackets, unescaping backslashes, into at most 4 fields, noting which hold a
     * {@code /} outside brackets (paths); false when malformed.
     */
    private static boolean split(String spec, List<String> fields, List<Boolean> paths) {
        String rest = spec.strip();
        while (!rest.isEmpty() && fields.size() < 4) {
            if (rest.charAt(0) == '[') {
                int end = rest.indexOf(']');
                if (end < 0 || (end + 1 < rest.length() && rest.charAt(end + 1) != ':')) {
                    return false;
                }
                fields.add(rest.substring(1, end));
                paths.add(false);
                rest = end + 2 <= rest.length() ? rest.substring(end + 2) : "";
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
                        return false;
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
        return rest.isEmpty() && !fields.isEmpty();
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
