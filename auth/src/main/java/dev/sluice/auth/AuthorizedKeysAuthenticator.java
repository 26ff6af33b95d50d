package dev.sluice.auth;

import dev.sluice.transport.key.AuthorizedKeys;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a key listed in one authorized_keys file, whatever the user name: the embedded server's mode, where the
 * server runs as its own OS user. The file is read on every attempt, as sshd does, so edits apply at once. The
 * options of the matching line are enforced ({@code from=}, {@code expiry-time=}) or handed on as
 * {@link KeyRestrictions}; a line with a bad option is refused, as sshd refuses it.
 */
public final class AuthorizedKeysAuthenticator implements PublicKeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeysAuthenticator.class);
    private final Path file;
    private final Clock clock;

    public AuthorizedKeysAuthenticator(Path file) {
        this(file, Clock.systemDefaultZone());
    }

    /** @param clock the time and zone {@code expiry-time=} is checked against */
    public AuthorizedKeysAuthenticator(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    @Override
    public boolean isAuthorized(String user, SshPublicKey key) {
        return find(key) != null;
    }

    @Override
    public KeyRestrictions authorize(String user, SshPublicKey key, String clientAddress) {
        AuthorizedKeys.Entry entry = find(key);
        if (entry == null) {
            return null;
        }
        String loc = file + ":" + entry.line();
        KeyRestrictions restrictions;
        try {
            restrictions = KeyRestrictions.parse(entry.options(), clock.getZone());
        } catch (IllegalArgumentException e) {
            LOG.error("{}: bad key options: {}", loc, e.getMessage());
            return null;
        }
        if (restrictions.certAuthority()) {
            // A CA line vouches for certificates, never for the plain key itself.
            return null;
        }
        if (!restrictions.permitsSource(clientAddress)) {
            LOG.info("Authentication tried for {} with correct key but not from a permitted host (host={}, ip={}, "
                    + "required={}).", user, clientAddress, clientAddress, restrictions.from().orElse(""));
            return null;
        }
        Instant now = clock.instant();
        if (restrictions.expiredAt(now)) {
            LOG.info("{}: entry expired at {}", loc, restrictions.expiryTime().orElseThrow());
            return null;
        }
        LOG.debug("{}: matching key found: {} {}", loc, key.keyType(), key.fingerprint());
        return restrictions;
    }

    private AuthorizedKeys.Entry find(SshPublicKey key) {
        try {
            return AuthorizedKeys.read(file).find(key).orElse(null);
        } catch (IOException e) {
            LOG.warn("Could not read authorized keys {}: {}", file, e.toString());
            return null;
        }
    }

    @Override
    public String toString() {
        return "AuthorizedKeysFile " + file;
    }
}
