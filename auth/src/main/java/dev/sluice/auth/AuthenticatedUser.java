package dev.sluice.auth;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Objects;

/**
 * Who logged in on a server connection, by which methods, and what they may do: the result of a successful
 * authentication. The forwarding policy and the session layer read it from the SSH socket with {@link #of(Channel)}.
 *
 * @param user the user name the client authenticated as
 * @param methods the methods that succeeded, in order (more than one under AuthenticationMethods)
 * @param restrictions the options of the authorized_keys line that accepted the key, or {@link KeyRestrictions#NONE}
 *     when no key was involved
 */
public record AuthenticatedUser(String user, List<String> methods, KeyRestrictions restrictions) {
    private static final AttributeKey<AuthenticatedUser> KEY =
            AttributeKey.valueOf(AuthenticatedUser.class, "user");

    public AuthenticatedUser {
        Objects.requireNonNull(user);
        methods = List.copyOf(methods);
        Objects.requireNonNull(restrictions);
    }

    /** The user of a server connection once authenticated, or null before (or on a client connection). */
    public static AuthenticatedUser of(Channel sshSocket) {
        return sshSocket.attr(KEY).get();
    }

    void attachTo(Channel sshSocket) {
        sshSocket.attr(KEY).set(this);
    }
}
