package dev.sluice.forwarding;

/**
 * A server's settings for Unix-domain socket forwarding, named and valued as in sshd_config; the rest of the
 * forwarding policy (DisableForwarding, the key's no-port-forwarding) comes from {@link ForwardingPolicy} and
 * {@link ForwardingUser}.
 *
 * @param allow AllowStreamLocalForwarding: which directions are allowed
 * @param bindMask StreamLocalBindMask: the umask a remote forwarding's listening socket is created with (sshd's
 *        default 0177: the socket is for its owner only)
 * @param bindUnlink StreamLocalBindUnlink: whether an existing file at the path is removed before listening; without
 *        it the request fails, as with sshd's default
 */
public record StreamLocalPolicy(AllowStreamLocalForwarding allow, int bindMask, boolean bindUnlink) {
    /** sshd's defaults: AllowStreamLocalForwarding yes, StreamLocalBindMask 0177, StreamLocalBindUnlink no. */
    public static final StreamLocalPolicy DEFAULT = new StreamLocalPolicy(AllowStreamLocalForwarding.YES, 0177, false);

    public StreamLocalPolicy {
        if (allow == null) {
            throw new IllegalArgumentException("AllowStreamLocalForwarding must be set");
        }
        if (bindMask < 0 || bindMask > 0777) {
            throw new IllegalArgumentException("bad StreamLocalBindMask " + Integer.toOctalString(bindMask));
        }
    }

    public StreamLocalPolicy withAllow(AllowStreamLocalForwarding value) {
        return new StreamLocalPolicy(value, bindMask, bindUnlink);
    }

    public StreamLocalPolicy withBindMask(int value) {
        return new StreamLocalPolicy(allow, value, bindUnlink);
    }

    public StreamLocalPolicy withBindUnlink(boolean value) {
        return new StreamLocalPolicy(allow, bindMask, value);
    }
}
