package dev.sluice.auth;

import io.netty.channel.Channel;

/**
 * Chooses the authentication settings of one login once the client's first request names the user: what sshd's
 * {@code Match User/Group/Address/…} blocks do for PubkeyAuthentication, AuthorizedKeysFile, TrustedUserCAKeys,
 * PasswordAuthentication, KbdInteractiveAuthentication, PermitEmptyPasswords, AuthenticationMethods, Banner and
 * MaxAuthTries. Called once per connection, on its event loop, before the banner is sent.
 */
@FunctionalInterface
public interface UserAuthPolicy {
    /**
     * The settings for {@code user} on this connection.
     *
     * @param socket the client's connection (its addresses; attributes may carry what later layers need)
     * @throws IllegalArgumentException when no login is possible under the settings (sshd's "No
     *     AuthenticationMethods left after eliminating disabled methods"); the connection is then closed
     */
    Settings settingsFor(String user, Channel socket);

    /**
     * One login's settings.
     *
     * @param keys the publickey method's check, or null to not offer publickey
     * @param auth password, keyboard-interactive, AuthenticationMethods, PermitEmptyPasswords, Banner
     * @param maxAuthTries failed attempts before the connection is ended
     */
    record Settings(PublicKeyAuthenticator keys, ServerAuthConfig auth, int maxAuthTries) {
        public Settings {
            java.util.Objects.requireNonNull(auth);
            auth.requireSatisfiable(keys != null);
        }
    }
}
