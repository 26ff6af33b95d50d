package dev.sluice.auth;

import dev.sluice.auth.message.PasswordRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.codec.digest.Crypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks passwords against the system's shadow file (shadow(5)), as sshd does with {@code UsePAM no}: the crypt(3)
 * hashes SHA-512 ({@code $6$}), SHA-256 ({@code $5$}) and MD5 ({@code $1$}). Locked accounts ({@code !}, {@code *})
 * and accounts past their expiry date are refused. yescrypt ({@code $y$}, Debian's PAM default) and bcrypt are not
 * implemented: such an account is refused with a log line that says so ({@code chpasswd -c SHA512} writes a usable
 * hash).
 *
 * <p>An unknown user, a locked account and an unsupported hash all cost one SHA-512 crypt against a dummy hash, so
 * the time taken does not tell them from a wrong password. The file is read on every check (it needs root). Blocks
 * for the hash (a few milliseconds at the default 5000 rounds): run it off the event loop, as the handler does.
 */
public final class ShadowPasswordAuthenticator implements PasswordAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowPasswordAuthenticator.class);
    /** A SHA-512 crypt-shaped hash that no password matches, verified against when there is nothing real to. */
    private static final String DUMMY = "$6$sluicedummysalt$Ks.8hC2F8oCJTHlU0L7rJq2kzDQO5qA1cXq5d2fXhRUtQb8cVdKb"
            + "Zyqk5ghY6I7cLQeBvVEXc6c1hAR3bYj5x/";

    private final Path shadow;
    private final Clock clock;

    /** Checks against /etc/shadow. */
    public ShadowPasswordAuthenticator() {
        this(Path.of("/etc/shadow"), Clock.systemDefaultZone());
    }

    /** Checks against {@code shadow}, with {@code clock} for account expiry. */
    public ShadowPasswordAuthenticator(Path shadow, Clock clock) {
        this.shadow = shadow;
        this.clock = clock;
    }

    @Override
    public Result authenticate(String user, char[] password) {
        String[] entry = find(user);
        String hash = entry == null ? null : entry[1];
        if (entry == null) {
            LOG.info("Invalid user {}", user);
        } else if (hash.startsWith("!") || hash.startsWith("*")) {
            LOG.info("User {} not allowed because account is locked", user);
            hash = null;
        } else if (!hash.isEmpty() && !(hash.startsWith("$6$") || hash.startsWith("$5$") || hash.startsWith("$1$"))) {
            LOG.warn("User {}: password hash scheme {} is not supported (use SHA-512 crypt)", user,
                    hash.startsWith("$") ? hash.substring(0, hash.indexOf('$', 1) + 1) : "DES");
            hash = null;
        } else if (expired(entry)) {
            LOG.info("Account {} has expired", user);
            hash = null;
        }
        boolean ok = verify(password, hash == null ? DUMMY : hash) && hash != null;
        return ok ? Result.SUCCESS : Result.FAILURE;
    }

    private static boolean verify(char[] password, String hash) {
        if (hash.isEmpty()) {
            return password.length == 0;
        }
        byte[] key = PasswordRequest.utf8(password);
        try {
            String computed = Crypt.crypt(key, hash);
            return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                    hash.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            LOG.warn("Malformed password hash: {}", e.getMessage());
            return false;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private boolean expired(String[] entry) {
        if (entry.length < 8 || entry[7].isEmpty()) {
            return false;
        }
        try {
            return LocalDate.now(clock).toEpochDay() > Long.parseLong(entry[7]);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The user's fields, or null; a file that cannot be read is logged and treated as empty. */
    private String[] find(String user) {
        List<String> lines;
        try {
            lines = Files.readAllLines(shadow, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.error("Could not read {}: {}", shadow, e.toString());
            return null;
        }
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 2 && f[0].equals(user)) {
                return f;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "shadow file " + shadow;
    }
}
