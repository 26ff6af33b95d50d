package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A known_hosts file (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT): the host keys a client trusts, checked the way
 * ssh(1) checks them (hostfile.c).
 *
 * <p>Lines are {@code [@marker] hosts keytype base64 [comment]}. {@code hosts} is either a comma-separated list
 * of patterns ({@code *}, {@code ?}, {@code !}negation, {@code [host]:port} for ports other than 22, matched
 * case-insensitively) or one hashed name {@code |1|base64(salt)|base64(HMAC-SHA1(salt, name))}. Lines with key
 * types Sluice cannot use still count: a known RSA key for a host that now shows an Ed25519 key is a MISMATCH,
 * exactly as OpenSSH reports "Offending RSA key". {@code @cert-authority} lines name the CAs whose host certificates
 * are trusted for the matching hosts ({@link #checkCertificateAuthority}).
 * Malformed lines are skipped with a debug log, as ssh does. Immutable and thread-safe; {@link #append} writes
 * the file but does not change an instance already read.
 */
public final class KnownHosts {
    private static final Logger log = LoggerFactory.getLogger(KnownHosts.class);
    private static final int DEFAULT_PORT = 22;
    private static final String HASH_MAGIC = "|1|";
    private static final int SHA1_LENGTH = 20;

    /** The outcome of {@link #check}. */
    public enum Status {
        /** A line for this host holds this key. */
        MATCH,
        /** Lines exist for this host, none with this key: possibly a man-in-the-middle. */
        MISMATCH,
        /** No line for this host. */
        NOT_FOUND,
        /** The key is on a matching {@code @revoked} line, which wins over everything else. */
        REVOKED
    }

    /**
     * What {@link #check} found.
     *
     * @param status the outcome
     * @param file the file checked
     * @param line the deciding 1-based line: the matching line for MATCH, the offending line for MISMATCH (the
     *     last conflicting one, as OpenSSH reports it), the {@code @revoked} line for REVOKED; 0 for NOT_FOUND
     * @param keyType the key type on that line (e.g. "ssh-rsa"; see {@link PublicKeys#displayName}), or null
     *     for NOT_FOUND
     */
    public record Result(Status status, Path file, int line, String keyType) {
    }

    private enum Marker { NONE, CERT_AUTHORITY, REVOKED }

    /** One valid line. {@code salt} and {@code hash} are set for a hashed host name, {@code patterns} otherwise. */
    private static final class Line {
        final int number;
        final Marker marker;
        final String patterns;
        final byte[] salt;
        final byte[] hash;
        final String keyType;
        final byte[] blob;

        Line(int number, Marker marker, String patterns, byte[] salt, byte[] hash, String keyType, byte[] blob) {
            this.number = number;
            this.marker = marker;
            this.patterns = patterns;
            this.salt = salt;
            this.hash = hash;
            this.keyType = keyType;
            this.blob = blob;
        }

        boolean matches(String name) {
            if (salt != null) {
                return MessageDigest.isEqual(hmacSha1(salt, name), hash);
            }
            return HostPatterns.matchList(name, patterns) == 1;
        }

        boolean holds(SshPublicKey key) {
            // Blobs are canonical encodings, so equal keys have equal blobs (sshkey_equal compares the keys).
            return keyType.equals(key.keyType()) && Arrays.equals(blob, key.blob());
        }
    }

    private final Path file;
    private final List<Line> lines;

    private KnownHosts(Path file, List<Line> lines) {
        this.file = file;
        this.lines = List.copyOf(lines);
    }

    /** Reads a file; a missing file knows no hosts. */
    public static KnownHosts read(Path file) throws IOException {
        try {
            return parse(file, new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new KnownHosts(file, List.of());
        }
    }

    /** Parses the file's text; {@code origin} is reported in results and logs. */
    public static KnownHosts parse(Path origin, String content) {
        List<Line> out = new ArrayList<>();
        String[] raw = content.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            Line l = parseLine(origin, i + 1, raw[i]);
            if (l != null) {
                out.add(l);
            }
        }
        return new KnownHosts(origin, out);
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /**
     * Checks the key a host presented, as ssh(1) does after KEX: the host name is lower-cased and, for a port
     * other than 22, looked up as {@code [host]:port}.
     */
    public Result check(String host, int port, SshPublicKey key) {
        String name = hostKeyName(host.toLowerCase(Locale.ROOT), port);
        Line matched = null;
        Line offending = null;
        for (Line l : lines) {
            if (l.marker != Marker.NONE || !l.matches(name)) {
                continue;
            }
            if (l.holds(key)) {
                matched = l;
                break;
            }
            offending = l;
        }
        for (Line l : lines) {
            if (l.marker == Marker.REVOKED && l.holds(key) && l.matches(name)) {
                return new Result(Status.REVOKED, file, l.number, l.keyType);
            }
        }
        if (matched != null) {
            return new Result(Status.MATCH, file, matched.number, matched.keyType);
        }
        if (offending != null) {
            return new Result(Status.MISMATCH, file, offending.number, offending.keyType);
        }
        return new Result(Status.NOT_FOUND, file, 0, null);
    }

    /**
     * Whether {@code caKey} may sign host certificates for {@code host:port}, as ssh(1) looks it up for a host
     * certificate: MATCH for a matching {@code @cert-authority} line holding it, REVOKED for a matching
     * {@code @revoked} line holding it (which wins), NOT_FOUND otherwise.
     */
    public Result checkCertificateAuthority(String host, int port, SshPublicKey caKey) {
        String name = hostKeyName(host.toLowerCase(Locale.ROOT), port);
        Line matched = null;
        for (Line l : lines) {
            if (!l.holds(caKey) || !l.matches(name)) {
                continue;
            }
            if (l.marker == Marker.REVOKED) {
                return new Result(Status.REVOKED, file, l.number, l.keyType);
            }
            if (l.marker == Marker.CERT_AUTHORITY && matched == null) {
                matched = l;
            }
        }
        return matched == null ? new Result(Status.NOT_FOUND, file, 0, null)
                : new Result(Status.MATCH, file, matched.number, matched.keyType);
    }

    /**
     * The numbers of the valid lines whose host field matches, markers included: what
     * {@code ssh-keygen -F host -f file} lists (for a lower-case host name).
     */
    public List<Integer> matchingLines(String host, int port) {
        String name = hostKeyName(host.toLowerCase(Locale.ROOT), port);
        List<Integer> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.matches(name)) {
                out.add(l.number);
            }
        }
        return out;
    }

    /**
     * The key types of the plain (unmarked) lines for a host, in file order without repeats: what ssh uses to prefer
     * the host key algorithms it already knows a key for (sshconnect2.c order_hostkeyalgs).
     */
    public List<String> keyTypes(String host, int port) {
        String name = hostKeyName(host.toLowerCase(Locale.ROOT), port);
        List<String> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.marker == Marker.NONE && l.matches(name) && !out.contains(l.keyType)) {
                out.add(l.keyType);
            }
        }
        return out;
    }

    /** The name a host is filed under: {@code host} for port 22 (or 0), {@code [host]:port} otherwise. */
    public static String hostKeyName(String host, int port) {
        return port == 0 || port == DEFAULT_PORT ? host : "[" + host + "]:" + port;
    }

    /**
     * Appends a plain line {@code name keytype base64}, as ssh(1) does when the user accepts a new host key; see
     * {@link #append(Path, String, int, SshPublicKey, boolean)}.
     */
    public static void append(Path file, String host, int port, SshPublicKey key) throws IOException {
        append(file, host, port, key, false);
    }

    /**
     * Appends a line for {@code host} (lower-cased, {@code [host]:port} for other ports than 22), hashed when
     * {@code hash} is set (ssh_config HashKnownHosts). The file is created if needed, and a missing parent
     * directory (~/.ssh) with mode 0700. A last line without its newline is terminated first, so the new entry
     * never merges into it.
     */
    public static void append(Path file, String host, int port, SshPublicKey key, boolean hash) throws IOException {
        String name = hostKeyName(host.toLowerCase(Locale.ROOT), port);
        String hosts = hash ? hashHostName(name, randomSalt()) : name;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
        StringBuilder text = new StringBuilder();
        if (Files.exists(file) && Files.size(file) > 0 && !endsWithNewline(file)) {
            text.append('\n');
        }
        text.append(hosts).append(' ').append(key.toOpenSshLine(null)).append('\n');
        Files.write(file, text.toString().getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** {@code |1|base64(salt)|base64(HMAC-SHA1(salt, name))}, OpenSSH's host_hash. */
    static String hashHostName(String name, byte[] salt) {
        Base64.Encoder b64 = Base64.getEncoder();
        return HASH_MAGIC + b64.encodeToString(salt) + "|" + b64.encodeToString(hmacSha1(salt, name));
    }

    private static byte[] randomSalt() {
        byte[] salt = new byte[SHA1_LENGTH];
        new SecureRandom().nextBytes(salt);
        return salt;
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ch.position(ch.size() - 1);
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last);
            return last.get(0) == '\n';
        }
    }

    private static byte[] hmacSha1(byte[] salt, String name) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            return mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA1", e);
        }
    }

    private static Line parseLine(Path origin, int number, String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        String[] f = line.strip().split("[ \t]+");
        if (f.length == 0 || f[0].isEmpty() || f[0].startsWith("#")) {
            return null;
        }
        int i = 0;
        Marker marker = Marker.NONE;
        if (f[0].startsWith("@")) {
            if (f[0].equals("@cert-authority")) {
                marker = Marker.CERT_AUTHORITY;
            } else if (f[0].equals("@revoked")) {
                marker = Marker.REVOKED;
            } else {
                return invalid(origin, number, "invalid marker");
            }
            i++;
        }
        if (f.length < i + 3) {
            return invalid(origin, number, "truncated line");
        }
        String hosts = f[i];
        String type = f[i + 1];
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f[i + 2]);
        } catch (IllegalArgumentException e) {
            return invalid(origin, number, "key is not base64");
        }
        if (PublicKeys.isSupported(type)) {
            try {
                PublicKeys.parseFields(type, f[i + 2]);
            } catch (KeyFormatException e) {
                return invalid(origin, number, e.getMessage());
            }
        } else if (!blobNamesType(blob, type)) {
            return invalid(origin, number, "key blob does not hold a " + PublicKeys.printable(type) + " key");
        }
        byte[] salt = null;
        byte[] hash = null;
        if (hosts.startsWith("|")) {
            String[] parts = hosts.split("\\|", -1);
            try {
                if (parts.length != 4 || !hosts.startsWith(HASH_MAGIC)) {
                    return invalid(origin, number, "bad host hash");
                }
                salt = Base64.getDecoder().decode(parts[2]);
                hash = Base64.getDecoder().decode(parts[3]);
            } catch (IllegalArgumentException e) {
                return invalid(origin, number, "bad host hash");
            }
            if (salt.length != SHA1_LENGTH) {
                return invalid(origin, number, "bad host hash salt length " + salt.length);
            }
        }
        return new Line(number, marker, hosts, salt, hash, type, blob);
    }

    private static boolean blobNamesType(byte[] blob, String type) {
        try {
            return type.equals(SshReader.of(blob).readAscii());
        } catch (SshException e) {
            return false;
        }
    }

    private static Line invalid(Path origin, int number, String why) {
        log.debug("{}:{}: parse error in hostkeys file: {}", origin, number, why);
        return null;
    }
}
