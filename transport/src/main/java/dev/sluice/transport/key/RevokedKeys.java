package dev.sluice.transport.key;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A revoked keys file as sshd's RevokedKeys and ssh's RevokedHostKeys read it (sshkey_check_revoked): an OpenSSH Key
 * Revocation List (PROTOCOL.krl, made by {@code ssh-keygen -k}) or, failing its magic, a text file of public key
 * lines. A KRL revokes plain keys by blob or SHA-1/SHA-256 hash and certificates by CA and serial (list, range,
 * bitmap) or key ID, also for any CA; a text file revokes a listed key, a certificate of a listed key, and a
 * certificate signed by a listed CA. Immutable.
 */
public final class RevokedKeys {
    private static final byte[] KRL_MAGIC = "SSHKRL\n\0".getBytes(StandardCharsets.US_ASCII);
    private static final int KRL_FORMAT_VERSION = 1;
    private static final int SECTION_CERTIFICATES = 1;
    private static final int SECTION_EXPLICIT_KEY = 2;
    private static final int SECTION_FINGERPRINT_SHA1 = 3;
    private static final int SECTION_SIGNATURE = 4;
    private static final int SECTION_FINGERPRINT_SHA256 = 5;
    private static final int SECTION_EXTENSION = 255;
    private static final int CERT_SERIAL_LIST = 0x20;
    private static final int CERT_SERIAL_RANGE = 0x21;
    private static final int CERT_SERIAL_BITMAP = 0x22;
    private static final int CERT_KEY_ID = 0x23;
    private static final int CERT_EXTENSION = 0x39;
    /** The key of {@link #certificates} for sections that apply to every CA (an empty ca_key). */
    private static final Blob ANY_CA = new Blob(new byte[0]);

    /** A byte array compared by content, for sets of blobs and hashes. */
    private record Blob(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Blob b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** What one CA's certificate sections revoke. */
    private static final class CertificateRevocations {
        final List<long[]> serialRanges = new ArrayList<>();
        final List<Map.Entry<Long, BigInteger>> bitmaps = new ArrayList<>();
        final Set<String> keyIds = new HashSet<>();

        boolean revokes(OpenSshCertificate cert) {
            if (keyIds.contains(cert.keyId())) {
                return true;
            }
            long serial = cert.serial();
            if (serial == 0) {
                return false; // as OpenSSH: serial 0 is what a CA writes when it numbers nothing
            }
            for (long[] range : serialRanges) {
                if (Long.compareUnsigned(serial, range[0]) >= 0 && Long.compareUnsigned(serial, range[1]) <= 0) {
                    return true;
                }
            }
            for (Map.Entry<Long, BigInteger> bitmap : bitmaps) {
                long index = serial - bitmap.getKey();
                if (Long.compareUnsigned(serial, bitmap.getKey()) >= 0 && index >= 0
                        && index < bitmap.getValue().bitLength() && bitmap.getValue().testBit((int) index)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Path file;
    private final boolean krl;
    private final Set<Blob> keys = new HashSet<>();
    private final Set<Blob> sha1 = new HashSet<>();
    private final Set<Blob> sha256 = new HashSet<>();
    private final Map<Blob, CertificateRevocations> certificates = new HashMap<>();
    /** A text file's keys, compared as keys (a certificate of one of them is revoked too). */
    private final List<SshPublicKey> listed = new ArrayList<>();

    private RevokedKeys(Path file, boolean krl) {
        this.file = file;
        this.krl = krl;
    }

    /**
     * Reads a revoked keys file: a KRL when it starts with the KRL magic, else public key lines.
     *
     * @throws IOException when the file cannot be read
     * @throws KeyFormatException for a malformed KRL, one with an unsupported critical extension or a signature
     *     section (which OpenSSH 9.4 and later refuse too)
     */
    public static RevokedKeys read(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length >= KRL_MAGIC.length && Arrays.equals(Arrays.copyOf(data, KRL_MAGIC.length), KRL_MAGIC)) {
            RevokedKeys r = new RevokedKeys(file, true);
            try {
                r.parseKrl(ByteBuffer.wrap(data, KRL_MAGIC.length, data.length - KRL_MAGIC.length));
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw new KeyFormatException("invalid format");
            }
            return r;
        }
        RevokedKeys r = new RevokedKeys(file, false);
        for (AuthorizedKeys.Entry entry : AuthorizedKeys.parse(file, new String(data, StandardCharsets.UTF_8))
                .entries()) {
            r.listed.add(entry.key());
        }
        return r;
    }

    /** The file this list was read from. */
    public Path file() {
        return file;
    }

    /** Whether the file was a KRL rather than a list of public keys. */
    public boolean isKrl() {
        return krl;
    }

    /**
     * Whether {@code key} is revoked: as a plain key (a certificate by its certified key), and a certificate also by
     * its serial or key ID (KRL) or its CA (text list). sshd also asks about a certificate's CA key by itself.
     */
    public boolean isRevoked(SshPublicKey key) {
        OpenSshCertificate cert = key instanceof OpenSshCertificate c ? c : null;
        SshPublicKey plain = cert != null ? cert.certifiedKey() : key;
        if (!krl) {
            return listed.stream().anyMatch(k -> k.equals(plain) || (cert != null && k.equals(cert.signatureKey())));
        }
        byte[] blob = plain.blob();
        if (keys.contains(new Blob(blob)) || sha1.contains(new Blob(digest("SHA-1", blob)))
                || sha256.contains(new Blob(digest("SHA-256", blob)))) {
            return true;
        }
        if (cert == null) {
            return false;
        }
        CertificateRevocations byCa = certificates.get(new Blob(cert.signatureKey().blob()));
        CertificateRevocations anyCa = certificates.get(ANY_CA);
        return (byCa != null && byCa.revokes(cert)) || (anyCa != null && anyCa.revokes(cert));
    }

    private void parseKrl(ByteBuffer in) {
        if (in.getInt() != KRL_FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported KRL format version");
        }
        in.getLong(); // krl_version
        in.getLong(); // generated_date
        in.getLong(); // flags
        string(in); // reserved
        string(in); // comment
        while (in.hasRemaining()) {
            int type = in.get() & 0xff;
            if (type == SECTION_SIGNATURE) {
                throw new IllegalArgumentException("KRL signatures are not supported");
            }
            ByteBuffer section = string(in);
            switch (type) {
                case SECTION_CERTIFICATES -> certificateSection(section);
                case SECTION_EXPLICIT_KEY -> strings(section, keys);
                case SECTION_FINGERPRINT_SHA1 -> strings(section, sha1);
                case SECTION_FINGERPRINT_SHA256 -> strings(section, sha256);
                case SECTION_EXTENSION -> extension(section);
                default -> throw new IllegalArgumentException("unsupported KRL section " + type);
            }
        }
    }

    private void certificateSection(ByteBuffer in) {
        Blob ca = new Blob(bytes(string(in)));
        string(in); // reserved
        CertificateRevocations r = certificates.computeIfAbsent(ca, k -> new CertificateRevocations());
        while (in.hasRemaining()) {
            int type = in.get() & 0xff;
            ByteBuffer sub = string(in);
            switch (type) {
                case CERT_SERIAL_LIST -> {
                    while (sub.hasRemaining()) {
                        long serial = sub.getLong();
                        r.serialRanges.add(new long[] {serial, serial});
                    }
                }
                case CERT_SERIAL_RANGE -> {
                    long min = sub.getLong();
                    long max = sub.getLong();
                    ensureEnd(sub);
                    if (Long.compareUnsigned(min, max) > 0) {
                        throw new IllegalArgumentException("bad serial range");
                    }
                    r.serialRanges.add(new long[] {min, max});
                }
                case CERT_SERIAL_BITMAP -> {
                    long offset = sub.getLong();
                    byte[] bitmap = bytes(string(sub));
                    ensureEnd(sub);
                    r.bitmaps.add(Map.entry(offset, new BigInteger(1, bitmap)));
                }
                case CERT_KEY_ID -> {
                    while (sub.hasRemaining()) {
                        r.keyIds.add(new String(bytes(string(sub)), StandardCharsets.UTF_8));
                    }
                }
                case CERT_EXTENSION -> extension(sub);
                default -> throw new IllegalArgumentException("unsupported KRL certificate section " + type);
            }
        }
    }

    /** An extension: a critical one cannot be honoured, so the KRL is refused; others are skipped. */
    private static void extension(ByteBuffer in) {
        string(in); // name
        boolean critical = in.get() != 0;
        string(in); // contents
        ensureEnd(in);
        if (critical) {
            throw new IllegalArgumentException("unsupported critical KRL extension");
        }
    }

    private static void strings(ByteBuffer in, Set<Blob> into) {
        while (in.hasRemaining()) {
            into.add(new Blob(bytes(string(in))));
        }
    }

    /** A string field as a buffer over its bytes; its length must lie within what is left. */
    private static ByteBuffer string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("string length " + Integer.toUnsignedString(length));
        }
        ByteBuffer s = in.slice(in.position(), length);
        in.position(in.position() + length);
        return s;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static void ensureEnd(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing data");
        }
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
