package dev.sluice.forwarding;

/**
 * One dynamic forwarding, {@code ssh -D [bind_address:]port}: a SOCKS4/4a/5 server listening on
 * {@code bindAddress:bindPort} here, which opens a {@code direct-tcpip} channel to wherever each client asks.
 *
 * @param bindAddress the address to listen on as written, or null when none was given (then GatewayPorts decides:
 *        loopback only unless it is set); {@code ""} and {@code "*"} mean all interfaces, {@code "localhost"} the
 *        loopback addresses of both families, as in ssh(1)
 * @param bindPort the local port, 0 to let the system choose (programmatic use; ssh(1) refuses 0)
 */
public record DynamicForward(String bindAddress, int bindPort) {
    /** OpenSSH's limit for host names in forwardings (NI_MAXHOST). */
    private static final int MAX_HOST = 1025;

    public DynamicForward {
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bad listen port " + bindPort);
        }
        if (bindAddress != null && bindAddress.length() >= MAX_HOST) {
            throw new IllegalArgumentException("bad listen address");
        }
    }

    /**
     * Parses the argument of {@code -D} (and of the DynamicForward keyword) as OpenSSH's {@code parse_forward} does
     * for a dynamic forward: {@code port} or {@code bind_address:port}, an address in square brackets taken literally
     * (IPv6), port 1 to 65535 in decimal.
     *
     * @throws IllegalArgumentException with the text ssh prints, "Bad dynamic forwarding specification 'SPEC'"
     */
    public static DynamicForward parse(String spec) {
        String s = spec.strip();
        String address = null;
        String port = s;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0 || end + 1 >= s.length() || s.charAt(end + 1) != ':') {
                throw bad(spec);
            }
            address = s.substring(1, end);
            port = s.substring(end + 2);
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0) {
                address = s.substring(0, colon);
                port = s.substring(colon + 1);
            }
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || (address != null && (address.indexOf(':') >= 0 && !s.startsWith("[")))) {
            throw bad(spec);
        }
        int p = Integer.parseInt(port);
        if (p == 0 || p > 65535) {
            throw bad(spec);
        }
        try {
            return new DynamicForward(address, p);
        } catch (IllegalArgumentException e) {
            throw bad(spec);
        }
    }

    /** The spec in ssh(1)'s form, brackets around an address with colons; {@link #parse} reads it back. */
    public String toSpec() {
        if (bindAddress == null) {
            return Integer.toString(bindPort);
        }
        return (bindAddress.indexOf(':') >= 0 ? "[" + bindAddress + "]" : bindAddress) + ":" + bindPort;
    }

    private static IllegalArgumentException bad(String spec) {
        return new IllegalArgumentException("Bad dynamic forwarding specification '" + spec + "'");
    }
}
