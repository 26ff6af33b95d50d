package dev.sluice.auth;

import dev.sluice.transport.key.AuthorizedKeys;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a key listed in one authorized_keys file, whatever the user name: the embedded server's mode, where the
 * server runs as its own OS user. The file is read on every attempt, as sshd does, so edits apply at once.
 */
public final class AuthorizedKeysAuthenticator implements PublicKeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeysAuthenticator.class);
    private final Path file;

    public AuthorizedKeysAuthenticator(Path file) {
        this.file = file;
    }

    @Override
    public boolean isAuthorized(String user, SshPublicKey key) {
        try {
            return AuthorizedKeys.read(file).find(key).isPresent();
        } catch (IOException e) {
            LOG.warn("Could not read authorized keys {}: {}", file, e.toString());
            return false;
        }
    }

    @Override
    public String toString() {
        return "AuthorizedKeysFile " + file;
    }
}
