package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses public keys from wire blobs and from OpenSSH text lines, and holds the registry of key types Sluice
 * supports: ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa (signing rsa-sha2-512, rsa-sha2-256 and, by opt-in,
 * ssh-rsa), and their OpenSSH certificates ({@link OpenSshCertificate}).
 */
public final class PublicKeys {
    /**
     * Every plain and certificate key type name OpenSSH 9 knows. A first field in this set is a key type even
     * when Sluice cannot use it, which is how an authorized_keys line without options is told from one with
     * options (OpenSSH asks sshkey_read the same question).
     */
    static final Set<String> OPENSSH_KEY_TYPES = Set.of(
            "ssh-ed25519", "ssh-rsa", "ssh-dss", "ssh-xmss@openssh.com",
            "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com",
            "ssh-mldsa44-ed25519@openssh.com",
            "ssh-ed25519-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com",
            "ssh-xmss-cert-v01@openssh.com",
            "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
            "ecdsa-sha2-nistp521-cert-v01@openssh.com",
            "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com");

    /** OpenSSH 9's default host key and public key signature algorithms that Sluice implements, preferred first. */
    private static final List<String> DEFAULT_SIGNATURE_ALGORITHMS = List.of(Ed25519PublicKey.TYPE,
            "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", RsaPublicKey.SHA512,
            RsaPublicKey.SHA256);

    private PublicKeys() {
    }

    /** Whether {@link #fromBlob} can decode keys of this type. */
    public static boolean isSupported(String keyType) {
        String plain = OpenSshCertificate.plainAlgorithm(keyType);
        return Ed25519PublicKey.TYPE.equals(plain) || RsaPublicKey.TYPE.equals(plain)
                || EcdsaPublicKey.Curve.byKeyType(plain) != null;
    }

    /**
     * OpenSSH's default HostKeyAlgorithms (and PubkeyAcceptedAlgorithms) restricted to what Sluice implements:
     * ssh-ed25519, ecdsa-sha2-nistp256/384/521, rsa-sha2-512, rsa-sha2-256. SHA-1 {@code ssh-rsa} is left out.
     */
    public static List<String> defaultSignatureAlgorithms() {
        return DEFAULT_SIGNATURE_ALGORITHMS;
    }

    /**
     * OpenSSH 9's default HostKeyAlgorithms restricted to what Sluice implements: the certificate algorithms
     * ({@code ssh-ed25519-cert-v01@openssh.com}, …, {@code rsa-sha2-256-cert-v01@openssh.com}) first, then
     * {@link #defaultSignatureAlgorithms()}. A server offers only those it holds a key or certificate for.
     */
    public static List<String> defaultHostKeyAlgorithms() {
        List<String> all = new ArrayList<>();
        DEFAULT_SIGNATURE_ALGORITHMS.forEach(a -> all.add(a + OpenSshCertificate.SUFFIX));
        all.addAll(DEFAULT_SIGNATURE_ALGORITHMS);
        return List.copyOf(all);
    }

    /**
     * Every host key algorithm Sluice implements: {@link #defaultHostKeyAlgorithms()}, then the opt-in
     * {@code ssh-rsa-cert-v01@openssh.com} and {@code ssh-rsa}.
     */
    public static List<String> supportedHostKeyAlgorithms() {
        List<String> all = new ArrayList<>(defaultHostKeyAlgorithms());
        all.add(RsaPublicKey.TYPE + OpenSshCertificate.SUFFIX);
        all.add(RsaPublicKey.TYPE);
        return List.copyOf(all);
    }

    /** Every signature algorithm Sluice implements: the defaults, then the opt-in {@code ssh-rsa}. */
    public static List<String> supportedSignatureAlgorithms() {
        List<String> all = new ArrayList<>(DEFAULT_SIGNATURE_ALGORITHMS);
        all.add(RsaPublicKey.TYPE);
        return List.copyOf(all);
    }

    /**
     * Decodes a public key blob (RFC 4253 section 6.6) exactly: trailing bytes are an error.
     *
     * @throws KeyFormatException (a PROTOCOL_ERROR {@link SshException}) if the blob is malformed or of an
     *     unsupported type; never any other exception for any input
     */
    public static SshPublicKey fromBlob(byte[] blob) {
        try {
            SshReader r = SshReader.of(blob);
            String type = r.readAscii();
            SshPublicKey key;
            EcdsaPublicKey.Curve curve = EcdsaPublicKey.Curve.byKeyType(type);
            if (Ed25519PublicKey.TYPE.equals(type)) {
                key = Ed25519PublicKey.decodeAfterType(r);
            } else if (RsaPublicKey.TYPE.equals(type)) {
                key = RsaPublicKey.decodeAfterType(r);
            } else if (curve != null) {
                key = EcdsaPublicKey.decodeAfterType(curve, r);
            } else if (OpenSshCertificate.isCertificateType(type) && isSupported(type)) {
                return OpenSshCertificate.decodeAfterType(type, r, blob);
            } else {
                throw new KeyFormatException("unsupported key type \"" + printable(type) + "\"");
            }
            if (r.remaining() != 0) {
                throw new KeyFormatException(r.remaining() + " trailing bytes after " + type + " key");
            }
            return key;
        } catch (KeyFormatException e) {
            throw e;
        } catch (SshException e) {
            throw new KeyFormatException("malformed public key blob: " + e.getMessage(), e);
        }
    }

    /**
     * Parses one line of a .pub file, {@code "type base64 [comment]"}, as {@code ssh-keygen} writes it. The type
     * field must agree with the type inside the blob, as OpenSSH's sshkey_read insists.
     *
     * @throws KeyFormatException if the line is malformed or the type unsupported
     */
    public static SshPublicKey parseLine(String line) {
        String[] fields = line.strip().split("[ \t]+", 3);
        if (fields.length < 2) {
            throw new KeyFormatException("expected \"type base64 [comment]\"");
        }
        return parseFields(fields[0], fields[1]);
    }

    /** The key from the type and base64 fields of a text line. */
    static SshPublicKey parseFields(String type, String base64) {
        if (!isSupported(type)) {
            throw new KeyFormatException("unsupported key type \"" + printable(type) + "\"");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("invalid base64 in " + type + " key", e);
        }
        SshPublicKey key = fromBlob(blob);
        if (!key.keyType().equals(type)) {
            throw new KeyFormatException("key type mismatch: line says " + type + ", blob holds " + key.keyType());
        }
        return key;
    }

    /** {@code "SHA256:"} and the unpadded base64 of SHA-256(blob), as ssh-keygen -l prints it. */
    public static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The short name OpenSSH prints for a key type in messages such as "Offending ED25519 key in FILE:LINE"
     * (sshkey_type): ED25519, RSA, ECDSA, DSA, ED25519-SK, ECDSA-SK, with "-CERT" for certificates.
     */
    public static String displayName(String keyType) {
        boolean cert = keyType.contains("-cert-v01@openssh.com");
        String base = keyType.replace("-cert-v01@openssh.com", "");
        String name;
        if (base.equals("ssh-ed25519")) {
            name = "ED25519";
        } else if (base.equals("sk-ssh-ed25519@openssh.com")) {
            name = "ED25519-SK";
        } else if (base.equals("ssh-rsa") || base.startsWith("rsa-sha2-")) {
            name = "RSA";
        } else if (base.equals("ssh-dss")) {
            name = "DSA";
        } else if (base.startsWith("sk-ecdsa-")) {
            name = "ECDSA-SK";
        } else if (base.startsWith("ecdsa-")) {
            name = "ECDSA";
        } else if (base.startsWith("ssh-xmss")) {
            name = "XMSS";
        } else {
            name = base.toUpperCase(Locale.ROOT);
        }
        return cert ? name + "-CERT" : name;
    }

    /** The algorithm name at the front of a signature blob, or null if there is none. */
    static String signatureAlgorithmOf(byte[] signatureBlob) {
        try {
            return SshReader.of(signatureBlob).readAscii();
        } catch (SshException e) {
            return null;
        }
    }

    /** A type name from peer data, safe to put in a log line. */
    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        StringBuilder b = new StringBuilder(cut.length());
        for (char c : cut.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f || c == '…' ? c : '?');
        }
        return b.toString();
    }
}
