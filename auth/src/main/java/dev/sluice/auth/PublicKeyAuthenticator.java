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
}
