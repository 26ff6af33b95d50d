package dev.sluice.forwarding;

import java.util.Locale;

/**
 * The values of sshd_config's {@code AllowTcpForwarding}: {@code yes} (the default) or {@code all} allow all TCP
 * forwarding, {@code no} none, {@code local} only local forwarding from the client's point of view (ssh -L, i.e.
 * {@code direct-tcpip}), {@code remote} only remote forwarding (ssh -R, {@code tcpip-forward}).
 */
public enum AllowTcpForwarding {
    YES, ALL, NO, LOCAL, REMOTE;

    /** Whether {@code direct-tcpip} channels (the client's -L and -D) are allowed. */
    public boolean allowsLocal() {
        return this == YES || this == ALL || this == LOCAL;
    }

    /** Whether {@code tcpip-forward} requests (the client's -R) are allowed. */
    public boolean allowsRemote() {
        return this == YES || this == ALL || this == REMOTE;
    }

    /** Parses a keyword value, case-insensitively as sshd does. */
    public static AllowTcpForwarding parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported AllowTcpForwarding value \"" + value
                    + "\" (yes, all, no, local or remote)", e);
        }
    }
}
