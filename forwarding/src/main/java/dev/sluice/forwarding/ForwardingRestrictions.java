package dev.sluice.forwarding;

import dev.sluice.auth.KeyRestrictions;
import java.util.List;

/**
 * The per-key narrowing of a server's {@link ForwardingPolicy}, from the options of the authorized_keys line (or
 * certificate) the user logged in with: {@code no-port-forwarding} and {@code restrict} (without
 * {@code port-forwarding}) forbid all TCP forwarding, {@code permitopen=} and {@code permitlisten=} lists must match
 * in addition to sshd_config's PermitOpen and PermitListen, as sshd's user and admin permission sets both must.
 *
 * @param portForwarding false for {@code no-port-forwarding}, or {@code restrict} without {@code port-forwarding}
 * @param permitOpen the key's {@code permitopen=} entries, {@link PermitList#ANY} when it has none
 * @param permitListen the key's {@code permitlisten=} entries, {@link PermitList#ANY} when it has none
 */
public record ForwardingRestrictions(boolean portForwarding, PermitList permitOpen, PermitList permitListen) {
    /** A key without forwarding options. */
    public static final ForwardingRestrictions UNRESTRICTED =
            new ForwardingRestrictions(true, PermitList.ANY, PermitList.ANY);

    /**
     * The forwarding part of an authorized_keys line's options. A {@code permitlisten=} entry that is a bare port
     * means any listen host, as in sshd; listen hosts match as patterns, destinations exactly.
     */
    public static ForwardingRestrictions of(KeyRestrictions key) {
        return new ForwardingRestrictions(key.portForwardingAllowed(), list("permitopen", key.permitOpen(), false),
                list("permitlisten", key.permitListen(), true));
    }

    private static PermitList list(String option, List<String> entries, boolean listen) {
        if (entries.isEmpty()) {
            return PermitList.ANY;
        }
        return PermitList.of(entries.stream().map(e -> PermitList.parseEntry(option, e, listen)).toList());
    }
}
