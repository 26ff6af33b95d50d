package dev.sluice.auth;

import dev.sluice.transport.key.AuthorizedKeys;
import dev.sluice.transport.key.OpenSshCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sshd's AuthorizedPrincipalsFile (sshd_config(5); auth2-pubkey.c process_principals): one principal name per line,
 * optionally after authorized_keys options and a blank ({@code command="/bin/backup" backup}); {@code #} starts a
 * comment anywhere on a line. A certificate from a TrustedUserCAKeys CA is accepted when one of its principals is on
 * a line, with that line's options.
 */
final class AuthorizedPrincipals {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedPrincipals.class);

    private AuthorizedPrincipals() {
    }

    /**
     * The options of the first line naming one of {@code cert}'s principals, or null when none does or the file
     * cannot be read (sshd then refuses the certificate). A line with bad options never matches.
     */
    static KeyRestrictions match(Path file, OpenSshCertificate cert, ZoneId zone) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            LOG.debug("Could not open authorized principals '{}': {}", file, e.toString());
            return null;
        }
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            // As sshd: internal whitespace means options, and the principal is the last word.
            int blank = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\t'));
            String principal = text.substring(blank + 1);
            if (!cert.principals().contains(principal)) {
                continue;
            }
            String loc = file + ":" + n;
            List<String> options = blank < 0 ? List.of()
                    : AuthorizedKeys.splitOptions(text.substring(0, blank).strip());
            try {
                if (options == null) {
                    throw new IllegalArgumentException("invalid key option string");
                }
                KeyRestrictions restrictions = KeyRestrictions.parse(options, zone);
                LOG.debug("{}: matched principal \"{}\"", loc, principal);
                return restrictions;
            } catch (IllegalArgumentException e) {
                LOG.debug("{}: bad principals options: {}", loc, e.getMessage());
            }
        }
        return null;
    }
}
