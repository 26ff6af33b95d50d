package dev.sluice.forwarding;

import java.util.Locale;

/**
 * The values of sshd_config's {@code AllowStreamLocalForwarding}: {@code yes} (the default) or {@code all} allow all
 * Unix-domain socket forwarding, {@code no} none, {@code local} only local forwarding from the client's point of view
 * (ssh -L to a socket path, {@code direct-streamlocal@openssh.com}), {@code remote} only remote forwarding
 * ({@code streamlocal-forward@openssh.com}).
 */
public enum AllowStreamLocalForwarding {
    YES, ALL, NO, LOCAL, REMOTE;

    /** Whether {@code direct-streamlocal@openssh.com} channels (the client's -L to a socket path) are allowed. */
    public boolean allowsLocal() {
        return this == YES || this == ALL || this == LOCAL;
    }

    /** Whether {@code streamlocal-forward@openssh.com} requests (the client's -R from a socket path) are allowed. */
    public boolean allowsRemote() {
        return this == YES || this == ALL || this == REMOTE;
    }

    /** Parses a keyword value, case-insensitively as sshd does. */
    public static AllowStreamLocalForwarding parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported AllowStreamLocalForwarding value \"" + value
                    + "\" (yes, all, no, local or remote)", e);
        }
    }
}
