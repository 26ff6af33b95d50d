package dev.sluice.auth;

import dev.sluice.transport.key.AuthorizedKeys;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.PublicKeys;
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
 *
 * <h3>Certificates</h3>
 * A user certificate is accepted when its CA is listed in the TrustedUserCAKeys file (the user name must then be a
 * principal) or on a {@code cert-authority} line (the user name must be a principal, or with {@code principals=} one
 * of those must be); it must be a user certificate within its validity window, its critical options known and its
 * {@code source-address} matched. What it may do is the certificate's extensions narrowed by the line's options.
 * Refusals are logged in sshd's words ("Certificate invalid: expired").
 */
public final class AuthorizedKeysAuthenticator implements PublicKeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeysAuthenticator.class);
    private final Path file;
    private final Path trustedUserCaKeys;
    private final Clock clock;

    public AuthorizedKeysAuthenticator(Path file) {
        this(file, null, Clock.systemDefaultZone());
    }

    /** @param clock the time and zone {@code expiry-time=} is checked against */
    public AuthorizedKeysAuthenticator(Path file, Clock clock) {
        this(file, null, clock);
    }

    /**
     * @param trustedUserCaKeys sshd_config's TrustedUserCAKeys: a file of CA public keys whose user certificates are
     *     accepted, or null for none
     * @param clock the time certificates and {@code expiry-time=} are checked against
     */
    public AuthorizedKeysAuthenticator(Path file, Path trustedUserCaKeys, Clock clock) {
        this.file = file;
        this.trustedUserCaKeys = trustedUserCaKeys;
        this.clock = clock;
    }

    /** Whether the key, or for a certificate its CA, is listed; {@link #authorize} makes the full decision. */
    @Override
    public boolean isAuthorized(String user, SshPublicKey key) {
        if (key instanceof OpenSshCertificate cert) {
            return (trustedUserCaKeys != null && read(trustedUserCaKeys).find(cert.signatureKey()).isPresent())
                    || read(file).find(cert.signatureKey()).isPresent();
        }
        return find(key) != null;
    }

    @Override
    public KeyRestrictions authorize(String user, SshPublicKey key, String clientAddress) {
        if (key instanceof OpenSshCertificate cert) {
            KeyRestrictions trusted = trustedCa(user, cert, clientAddress);
            return trusted != null ? trusted : certAuthorityLine(user, cert, clientAddress);
        }
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

    /** sshd's user_cert_trusted_ca: the CA listed in TrustedUserCAKeys, the user name a listed principal. */
    private KeyRestrictions trustedCa(String user, OpenSshCertificate cert, String clientAddress) {
        if (trustedUserCaKeys == null || read(trustedUserCaKeys).find(cert.signatureKey()).isEmpty()) {
            return null;
        }
        String reason = cert.checkAuthority(OpenSshCertificate.Type.USER, true, clock.instant(), user);
        if (reason != null) {
            LOG.error("{}", reason);
            return null;
        }
        KeyRestrictions restrictions = certificateOptions(user, cert, clientAddress);
        if (restrictions != null) {
            LOG.info("Accepted certificate ID \"{}\" (serial {}) signed by {} CA {} via {}", cert.keyId(),
                    Long.toUnsignedString(cert.serial()), PublicKeys.displayName(cert.signatureKey().keyType()),
                    cert.signatureKey().fingerprint(), trustedUserCaKeys);
        }
        return restrictions;
    }

    /** sshd's check_authkey_line for a certificate: a {@code cert-authority} line holding its CA. */
    private KeyRestrictions certAuthorityLine(String user, OpenSshCertificate cert, String clientAddress) {
        for (AuthorizedKeys.Entry entry : read(file).entries()) {
            if (!entry.key().equals(cert.signatureKey())) {
                continue;
            }
            String loc = file + ":" + entry.line();
            KeyRestrictions line;
            try {
                line = KeyRestrictions.parse(entry.options(), clock.getZone());
            } catch (IllegalArgumentException e) {
                LOG.error("{}: bad key options: {}", loc, e.getMessage());
                continue;
            }
            if (!line.certAuthority()) {
                continue;
            }
            LOG.debug("{}: matched CA {} {}", loc, PublicKeys.displayName(entry.key().keyType()),
                    entry.key().fingerprint());
            if (!line.permitsSource(clientAddress)) {
                LOG.info("Authentication tried for {} with correct key but not from a permitted host (host={}, "
                        + "ip={}, required={}).", user, clientAddress, clientAddress, line.from().orElse(""));
                continue;
            }
            if (line.expiredAt(clock.instant())) {
                LOG.info("{}: entry expired at {}", loc, line.expiryTime().orElseThrow());
                continue;
            }
            if (!line.principals().isEmpty() && cert.principals().stream().noneMatch(line.principals()::contains)) {
                LOG.error("Certificate does not contain an authorized principal");
                continue;
            }
            String reason = cert.checkAuthority(OpenSshCertificate.Type.USER, false, clock.instant(),
                    line.principals().isEmpty() ? user : null);
            if (reason != null) {
                LOG.error("{}", reason);
                continue;
            }
            KeyRestrictions certificate = certificateOptions(user, cert, clientAddress);
            if (certificate == null) {
                continue;
            }
            try {
                KeyRestrictions merged = line.narrowedBy(certificate);
                LOG.info("Accepted certificate ID \"{}\" (serial {}) signed by CA {} {} found at {}", cert.keyId(),
                        Long.toUnsignedString(cert.serial()), PublicKeys.displayName(entry.key().keyType()),
                        entry.key().fingerprint(), loc);
                return merged;
            } catch (IllegalArgumentException e) {
                LOG.error("{}: {}", loc, e.getMessage());
            }
        }
        return null;
    }

    /** The certificate's own options, or null (with sshd's log line) when they refuse this login. */
    private static KeyRestrictions certificateOptions(String user, OpenSshCertificate cert, String clientAddress) {
        KeyRestrictions restrictions;
        try {
            restrictions = KeyRestrictions.fromCertificate(cert);
        } catch (IllegalArgumentException e) {
            LOG.error("{}", e.getMessage());
            return null;
        }
        if (!restrictions.permitsCertificateSource(clientAddress)) {
            LOG.info("Authentication tried for {} with valid certificate but not from a permitted source address "
                    + "({}).", user, clientAddress);
            return null;
        }
        return restrictions;
    }

    private AuthorizedKeys.Entry find(SshPublicKey key) {
        return read(file).find(key).orElse(null);
    }

    private static AuthorizedKeys read(Path path) {
        try {
            return AuthorizedKeys.read(path);
        } catch (IOException e) {
            LOG.warn("Could not read authorized keys {}: {}", path, e.toString());
            return AuthorizedKeys.parse(path, "");
        }
    }

    @Override
    public String toString() {
        return "AuthorizedKeysFile " + file;
    }
}
