package dev.sluice.forwarding;

import io.netty.util.AttributeKey;

/**
 * The per-key narrowing of a server's {@link ForwardingPolicy}, from the options of the authorized_keys line (or
 * certificate) the user logged in with: {@code no-port-forwarding} and {@code restrict} (without
 * {@code port-forwarding}) forbid all TCP forwarding, {@code permitopen=} and {@code permitlisten=} lists must match
 * in addition to sshd_config's PermitOpen and PermitListen, as sshd's user and admin permission sets both must.
 *
 * <p>Whoever authenticates the user stores the key's restrictions on the SSH socket under {@link #ATTRIBUTE};
 * {@link ForwardingUser#of} reads them. Absent means {@link #UNRESTRICTED}.
 *
 * @param portForwarding false for {@code no-port-forwarding}, or {@code restrict} without {@code port-forwarding}
 * @param permitOpen the key's {@code permitopen=} entries, {@link PermitList#ANY} when it has none
 * @param permitListen the key's {@code permitlisten=} entries, {@link PermitList#ANY} when it has none
 */
public record ForwardingRestrictions(boolean portForwarding, PermitList permitOpen, PermitList permitListen) {
    /** A key without forwarding options. */
    public static final ForwardingRestrictions UNRESTRICTED =
            new ForwardingRestrictions(true, PermitList.ANY, PermitList.ANY);

    /** Where the restrictions of the key a connection authenticated with are kept, on the SSH socket. */
    public static final AttributeKey<ForwardingRestrictions> ATTRIBUTE =
            AttributeKey.valueOf(ForwardingRestrictions.class, "restrictions");
}
