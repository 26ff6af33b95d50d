package dev.sluice.transport.key;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authorized_keys file (sshd(8), AUTHORIZED_KEYS FILE FORMAT): the user keys a server accepts, each with the
 * options that restrict it.
 *
 * <p>Each line is {@code [options] keytype base64 [comment]}; blank lines and lines starting with {@code #} are
 * ignored. Options are kept as raw strings, split at the commas that are not inside double quotes
 * ({@code command="echo a, b"} stays one option, quotes included); enforcing them belongs to the auth layer.
 * Lines with key types Sluice does not support are skipped with a debug log, malformed lines with a warning,
 * as sshd skips them: a bad line never makes the whole file unusable. Immutable and thread-safe.
 */
public final class AuthorizedKeys {
    private static final Logger log = LoggerFactory.getLogger(AuthorizedKeys.class);

    /**
     * One usable key line.
     *
     * @param options raw option strings in file order, e.g. {@code ["restrict", "command=\"dump /home\""]}
     * @param key the key
     * @param comment the text after the key, or "" if none
     * @param line the 1-based line number, for logs such as sshd's "FILE:LINE: matching key found"
     */
    public record Entry(List<String> options, SshPublicKey key, String comment, int line) {
        public Entry {
            options = List.copyOf(options);
        }
    }

    private final Path file;
    private final List<Entry> entries;

    private AuthorizedKeys(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /** Reads a file; a missing file is an empty set of keys (sshd treats it the same way). */
    public static AuthorizedKeys read(Path file) throws IOException {
        String content;
        try {
            // Malformed UTF-8 in a comment must not make the file unreadable; it becomes U+FFFD.
            content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new AuthorizedKeys(file, List.of());
        }
        return parse(file, content);
    }

    /** Parses the file's text; {@code origin} names it in log lines and may be null. */
    public static AuthorizedKeys parse(Path origin, String content) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Entry e = parseLine(origin, i + 1, lines[i]);
            if (e != null) {
                entries.add(e);
            }
        }
        return new AuthorizedKeys(origin, entries);
    }

    /** The usable entries in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The file this was read from, or null. */
    public Path file() {
        return file;
    }

    /** The first entry for {@code key}: sshd uses the first matching line and its options. */
    public Optional<Entry> find(SshPublicKey key) {
        for (Entry e : entries) {
            if (e.key().equals(key)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static Entry parseLine(Path origin, int number, String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        int p = skipBlanks(line, 0);
        if (p == line.length() || line.charAt(p) == '#') {
            return null;
        }
        int end = tokenEnd(line, p);
        String first = line.substring(p, end);
        List<String> options = List.of();
        // As sshd: if the first field is not a key type it must be the options, and the type follows.
        if (!PublicKeys.OPENSSH_KEY_TYPES.contains(first)) {
            int optionsEnd = optionsEnd(line, p);
            if (optionsEnd < 0) {
                log.warn("{}:{}: invalid key option string (unterminated quote)", where(origin), number);
                return null;
            }
            options = splitOptions(line.substring(p, optionsEnd));
            if (options == null) {
                log.warn("{}:{}: invalid key option string (empty option)", where(origin), number);
                return null;
            }
            p = skipBlanks(line, optionsEnd);
            end = tokenEnd(line, p);
        }
        String type = line.substring(p, end);
        int b64Start = skipBlanks(line, end);
        int b64End = tokenEnd(line, b64Start);
        if (type.isEmpty() || b64Start == b64End) {
            log.warn("{}:{}: no key on the line", where(origin), number);
            return null;
        }
        if (!PublicKeys.isSupported(type)) {
            log.debug("{}:{}: skipping key of unsupported type {}", where(origin), number, PublicKeys.printable(type));
            return null;
        }
        SshPublicKey key;
        try {
            key = PublicKeys.parseFields(type, line.substring(b64Start, b64End));
        } catch (KeyFormatException e) {
            log.warn("{}:{}: invalid key: {}", where(origin), number, e.getMessage());
            return null;
        }
        String comment = line.substring(skipBlanks(line, b64End)).strip();
        return new Entry(options, key, comment, number);
    }

    /**
     * Where the options field ends: the first blank outside double quotes, where {@code \"} inside quotes does
     * not end them (OpenSSH's sshkey_advance_past_options). -1 if a quote is left open.
     */
    static int optionsEnd(String line, int start) {
        boolean quoted = false;
        int i = start;
        for (; i < line.length() && (quoted || !isBlank(line.charAt(i))); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            }
        }
        return quoted ? -1 : i;
    }

    /**
     * Splits an options field ({@code no-pty,command="a, b"}) at commas outside quotes, as authorized_keys and
     * AuthorizedPrincipalsFile lines give them; null if an option is empty (sshd rejects such a line).
     */
    public static List<String> splitOptions(String field) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length() && field.charAt(i + 1) == '"') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(field.substring(start, i));
                start = i + 1;
            }
        }
        out.add(field.substring(start));
        return out.stream().anyMatch(String::isEmpty) ? null : List.copyOf(out);
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && isBlank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int tokenEnd(String s, int i) {
        while (i < s.length() && !isBlank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static Object where(Path origin) {
        return origin == null ? "authorized_keys" : origin;
    }
}
