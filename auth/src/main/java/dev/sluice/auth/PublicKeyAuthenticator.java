package dev.sluice.auth;

import dev.sluice.transport.key.SshPublicKey;

/**
 * The server's decision whether {@code key} may log in as {@code user}, before any signature is checked (the
 * signature check is the handler's). Called on the connection's event loop: it may read a small file, but must not
 * block on the network.
 */
@FunctionalInterface
public interface PublicKeyAuthenticator {
    boolean isAuthorized(String user, SshPublicKey key);

    /**
     * The decision with its restrictions: null to refuse, or what the key may do once it has logged in (the options
     * of its authorized_keys line). {@code clientAddress} is the client's IP address as a literal, for
     * {@code from=}. The default allows every key that {@link #isAuthorized} accepts, without restriction.
     */
    default KeyRestrictions authorize(String user, SshPublicKey key, String clientAddress) {
        return isAuthorized(user, key) ? KeyRestrictions.NONE : null;
    }
}
