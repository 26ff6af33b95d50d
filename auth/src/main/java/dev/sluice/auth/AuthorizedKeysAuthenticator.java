package dev.sluice.auth;

import dev.sluice.transport.key.AuthorizedKeys;
import dev.sluice.transport.key.KeyFormatException;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.RevokedKeys;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
 * With an AuthorizedPrincipalsFile ({@link #withAuthorizedPrincipalsFile}), a TrustedUserCAKeys certificate needs
 * a principal listed there instead of the user name, and that line's options narrow it too. A certificate whose CA
 * signed with an algorithm outside CASignatureAlgorithms ({@link #withCaSignatureAlgorithms}; OpenSSH's default
 * leaves out SHA-1 {@code ssh-rsa}) is refused before anything else, as sshd refuses it.
 * Refusals are logged in sshd's words ("Certificate invalid: expired").
 *
 * <h3>Revoked keys</h3>
 * With RevokedKeys ({@link #withRevokedKeys}; a KRL or a list of public keys, read on every attempt) a listed key,
 * and a certificate revoked there or signed by a revoked CA, is refused; a file that cannot be read or parsed refuses
 * every key, as in sshd.
 */
public final class AuthorizedKeysAuthenticator implements PublicKeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeysAuthenticator.class);
    private final Path file;
    private final Path trustedUserCaKeys;
    private final Clock clock;
    /** AuthorizedPrincipalsFile as configured, with %u, %h and %% still in it; null for none. */
    private final String principalsFile;
    private final List<String> caSignatureAlgorithms;
    /** RevokedKeys; null for none. */
    private final Path revokedKeys;

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
        this(file, trustedUserCaKeys, clock, null, PublicKeys.defaultSignatureAlgorithms(), null);
    }

    private AuthorizedKeysAuthenticator(Path file, Path trustedUserCaKeys, Clock clock, String principalsFile,
            List<String> caSignatureAlgorithms, Path revokedKeys) {
        this.file = file;
        this.trustedUserCaKeys = trustedUserCaKeys;
        this.clock = clock;
        this.principalsFile = principalsFile;
        this.caSignatureAlgorithms = List.copyOf(caSignatureAlgorithms);
        this.revokedKeys = revokedKeys;
    }

    /**
     * The same authenticator with sshd's AuthorizedPrincipalsFile: {@code %u} is the user name the client asked
     * for, {@code %h} the server user's home directory, {@code %%} a percent sign; a relative path starts at that
     * home. {@code null} or {@code none} for none (the default).
     */
    public AuthorizedKeysAuthenticator withAuthorizedPrincipalsFile(String spec) {
        return new AuthorizedKeysAuthenticator(file, trustedUserCaKeys, clock,
                spec == null || spec.equalsIgnoreCase("none") ? null : spec, caSignatureAlgorithms, revokedKeys);
    }

    /** The same authenticator accepting certificates whose CA signed with one of {@code algorithms}. */
    public AuthorizedKeysAuthenticator withCaSignatureAlgorithms(List<String> algorithms) {
        return new AuthorizedKeysAuthenticator(file, trustedUserCaKeys, clock, principalsFile, algorithms,
                revokedKeys);
    }

    /** The same authenticator refusing the keys that sshd's RevokedKeys {@code file} revokes; null for none. */
    public AuthorizedKeysAuthenticator withRevokedKeys(Path file) {
        return new AuthorizedKeysAuthenticator(this.file, trustedUserCaKeys, clock, principalsFile,
                caSignatureAlgorithms, file);
    }

    /** Whether the key, or for a certificate its CA, is listed; {@link #authorize} makes the full decision. */
    @Override
    public boolean isAuthorized(String user, SshPublicKey key) {
        if (revoked(key)) {
            return false;
        }
        if (key instanceof OpenSshCertificate cert) {
            return caSignatureAllowed(cert) && (trustedUserCaKeys != null
                    && read(trustedUserCaKeys).find(cert.signatureKey()).isPresent()
                    || read(file).find(cert.signatureKey()).isPresent());
        }
        return find(key) != null;
    }

    @Override
    public KeyRestrictions authorize(String user, SshPublicKey key, String clientAddress) {
        if (revoked(key)) {
            return null;
        }
        if (key instanceof OpenSshCertificate cert) {
            if (!caSignatureAllowed(cert)) {
                return null;
            }
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

    /**
     * sshd's auth_key_is_revoked for the key and, for a certificate, for its CA key too; an unreadable or malformed
     * file counts as revoking.
     */
    private boolean revoked(SshPublicKey key) {
        if (revokedKeys == null) {
            return false;
        }
        RevokedKeys list;
        try {
            list = RevokedKeys.read(revokedKeys);
        } catch (IOException | KeyFormatException e) {
            LOG.error("Error checking authentication key {} {} in revoked keys file {}: {}",
                    PublicKeys.displayName(key.keyType()), plainFingerprint(key), revokedKeys,
                    e instanceof NoSuchFileException ? "No such file or directory" : e.getMessage());
            return true;
        }
        List<SshPublicKey> checked = key instanceof OpenSshCertificate cert ? List.of(key, cert.signatureKey())
                : List.of(key);
        for (SshPublicKey k : checked) {
            if (list.isRevoked(k)) {
                LOG.error("Authentication key {} {} revoked by file {}", PublicKeys.displayName(k.keyType()),
                        plainFingerprint(k), revokedKeys);
                return true;
            }
        }
        return false;
    }

    /** The fingerprint sshd prints for a key: a certificate's is its certified key's. */
    private static String plainFingerprint(SshPublicKey key) {
        return key instanceof OpenSshCertificate cert ? cert.certifiedKey().fingerprint() : key.fingerprint();
    }

    /** sshd's sshkey_check_cert_sigtype against CASignatureAlgorithms, logged as userauth_pubkey logs it. */
    private boolean caSignatureAllowed(OpenSshCertificate cert) {
        String algorithm = cert.caSignatureAlgorithm();
        if (caSignatureAlgorithms.contains(algorithm)) {
            return true;
        }
        LOG.info("userauth_pubkey: certificate signature algorithm {}: signature algorithm not supported", algorithm);
        return false;
    }

    /**
     * sshd's user_cert_trusted_ca: the CA listed in TrustedUserCAKeys, the user name a listed principal, or with an
     * AuthorizedPrincipalsFile one of the certificate's principals listed there.
     */
    private KeyRestrictions trustedCa(String user, OpenSshCertificate cert, String clientAddress) {
        if (trustedUserCaKeys == null || read(trustedUserCaKeys).find(cert.signatureKey()).isEmpty()) {
            return null;
        }
        KeyRestrictions principalOptions = null;
        if (principalsFile != null) {
            principalOptions = AuthorizedPrincipals.match(principalsPath(user), cert, clock.getZone());
            if (principalOptions == null) {
                LOG.error("Certificate does not contain an authorized principal");
                return null;
            }
        }
        String reason = cert.checkAuthority(OpenSshCertificate.Type.USER, true, clock.instant(),
                principalsFile == null ? user : null);
        if (reason != null) {
            LOG.error("{}", reason);
            return null;
        }
        KeyRestrictions restrictions = certificateOptions(user, cert, clientAddress);
        if (restrictions != null && principalOptions != null) {
            if (!principalOptions.permitsSource(clientAddress) || principalOptions.expiredAt(clock.instant())) {
                LOG.error("Option conflict");
                return null;
            }
            try {
                restrictions = principalOptions.narrowedBy(restrictions);
            } catch (IllegalArgumentException e) {
                LOG.error("{}", e.getMessage());
                return null;
            }
        }
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

    /** AuthorizedPrincipalsFile for {@code user}: tokens expanded, relative to the home directory. */
    private Path principalsPath(String user) {
        String home = System.getProperty("user.home");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < principalsFile.length(); i++) {
            char c = principalsFile.charAt(i);
            if (c == '%' && i + 1 < principalsFile.length()) {
                char t = principalsFile.charAt(++i);
                b.append(switch (t) {
                    case 'u' -> user;
                    case 'h' -> home;
                    case '%' -> "%";
                    default -> "%" + t;
                });
            } else {
                b.append(c);
            }
        }
        return Path.of(home).resolve(b.toString());
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
