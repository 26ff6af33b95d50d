package dev.sluice.forwarding;

import dev.sluice.auth.AuthenticatedUser;
import dev.sluice.connection.SshConnection;

/**
 * Who asks a server to forward: the authenticated user, whether that user is the superuser (for the privileged-port
 * rule), and the restrictions of the key used. The {@link ForwardingPolicy} is consulted with it, so that
 * per-key options narrow the server-wide settings per connection.
 *
 * @param name the user name the client authenticated as
 * @param superuser whether the account is root: only root may have remote forwardings listen on ports below 1024
 * @param restrictions the per-key options
 */
public record ForwardingUser(String name, boolean superuser, ForwardingRestrictions restrictions) {
    /**
     * The user of a server connection: its {@linkplain SshConnection#user() authenticated name}, superuser when that
     * is {@code root} (Sluice's embedded server runs as one OS user, so the login name stands for the account, as
     * uid 0 does for sshd), and the restrictions of the authorized_keys line its key matched.
     */
    public static ForwardingUser of(SshConnection connection) {
        AuthenticatedUser client = AuthenticatedUser.of(connection.parent());
        String name = client != null ? client.user() : connection.user() == null ? "" : connection.user();
        ForwardingRestrictions r = client == null ? ForwardingRestrictions.UNRESTRICTED
                : ForwardingRestrictions.of(client.restrictions());
        return new ForwardingUser(name, name.equals("root"), r);
    }
}
