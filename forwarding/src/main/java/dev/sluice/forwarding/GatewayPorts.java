package dev.sluice.forwarding;

import java.util.Locale;

/**
 * The values of sshd_config's {@code GatewayPorts}: where the server binds a client's remote forwarding
 * ({@code tcpip-forward}). {@code no} (the default) binds loopback only, whatever the client asked (except that an
 * explicit {@code 127.0.0.1} or {@code ::1} is honoured); {@code yes} binds the wildcard address, whatever the client
 * asked; {@code clientspecified} binds what the client asked ({@code ""} or {@code *} all interfaces,
 * {@code localhost} loopback). This is OpenSSH's {@code channel_fwd_bind_addr} for a server.
 */
public enum GatewayPorts {
    NO, YES, CLIENTSPECIFIED;

    /** Parses a keyword value, case-insensitively as sshd does. */
    public static GatewayPorts parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported GatewayPorts value \"" + value
                    + "\" (no, yes or clientspecified)", e);
        }
    }

    /** Where a remote forwarding is bound: every interface, the loopback addresses, or one named address. */
    public enum Bind { WILDCARD, LOOPBACK, ADDRESS }

    /** Where the server binds a {@code tcpip-forward} whose address field is {@code requested}. */
    public Bind bindFor(String requested) {
        if (this == NO) {
            return isLoopbackLiteral(requested) ? Bind.ADDRESS : Bind.LOOPBACK;
        }
        if (this == YES || requested.isEmpty() || requested.equals("*")) {
            return Bind.WILDCARD;
        }
        // clientspecified: "localhost" means both loopback families, not the name's first address.
        return requested.equals("localhost") ? Bind.LOOPBACK : Bind.ADDRESS;
    }

    private static boolean isLoopbackLiteral(String a) {
        return a.equals("127.0.0.1") || a.equals("::1");
    }
}
