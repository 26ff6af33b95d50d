package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OpenSSH certificate (PROTOCOL.certkeys): a user or host public key, signed by a certificate authority together
 * with a serial, a key id, the principals it is valid for, a validity window, critical options and extensions. Key
 * types {@code ssh-ed25519-cert-v01@openssh.com}, {@code ecdsa-sha2-nistp256/384/521-cert-v01@openssh.com} and
 * {@code ssh-rsa-cert-v01@openssh.com}; an RSA certificate signs with {@code rsa-sha2-512-cert-v01@openssh.com} or
 * {@code rsa-sha2-256-cert-v01@openssh.com}, which name the algorithm but never appear as a key type.
 *
 * <p>As a {@link SshPublicKey} it is the certified key: {@link #blob()} is the whole certificate (what goes on the
 * wire and into {@code -cert.pub} files), and signatures are the certified key's, made and checked with the plain
 * algorithm ({@code rsa-sha2-512} for {@code rsa-sha2-512-cert-v01@openssh.com}). As in OpenSSH's cert_parse, the
 * CA's signature is verified when the certificate is decoded: an instance always carries a valid signature by
 * {@link #signatureKey()}. Whether that CA is trusted, and whether the certificate is valid now and for whom, is the
 * caller's question ({@link #checkAuthority}). Immutable and thread-safe.
 */
public final class OpenSshCertificate implements SshPublicKey {
    /** The suffix that turns a key type or signature algorithm into its certificate form. */
    public static final String SUFFIX = "-cert-v01@openssh.com";
    /** The validity bound ssh-keygen writes for "forever": the largest uint64. */
    public static final long FOREVER = -1L;

    /** The certificate's purpose: SSH_CERT_TYPE_USER or SSH_CERT_TYPE_HOST. */
    public enum Type {
        USER(1), HOST(2);

        final int code;

        Type(int code) {
            this.code = code;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new KeyFormatException("unknown certificate type " + Integer.toUnsignedLong(code));
        }
    }

    private final String keyType;
    private final byte[] nonce;
    private final SshPublicKey key;
    private final long serial;
    private final Type type;
    private final String keyId;
    private final List<String> principals;
    private final long validAfter;
    private final long validBefore;
    private final Map<String, byte[]> criticalOptions;
    private final Map<String, byte[]> extensions;
    private final byte[] reserved;
    private final SshPublicKey signatureKey;
    private final byte[] signature;
    private final byte[] blob;

    private OpenSshCertificate(Builder b, SshPublicKey signatureKey, byte[] signature, byte[] blob) {
        this.keyType = b.key.keyType() + SUFFIX;
        this.nonce = b.nonce.clone();
        this.key = b.key;
        this.serial = b.serial;
        this.type = b.type;
        this.keyId = b.keyId;
        this.principals = List.copyOf(b.principals);
        this.validAfter = b.validAfter;
        this.validBefore = b.validBefore;
        this.criticalOptions = copy(b.criticalOptions);
        this.extensions = copy(b.extensions);
        this.reserved = b.reserved.clone();
        this.signatureKey = signatureKey;
        this.signature = signature.clone();
        this.blob = blob;
    }

    /** A builder for a certificate of {@code key} (a plain key) with a random 32-byte nonce, valid forever. */
    public static Builder builder(SshPublicKey key, Type type) {
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        return new Builder(key, type, nonce);
    }

    /** Whether {@code keyType} names a certificate ({@code …-cert-v01@openssh.com}). */
    public static boolean isCertificateType(String keyType) {
        return keyType.endsWith(SUFFIX);
    }

    /**
     * The plain signature algorithm a certificate algorithm signs with: {@code rsa-sha2-512} for
     * {@code rsa-sha2-512-cert-v01@openssh.com}, {@code ssh-ed25519} for the Ed25519 certificate; any other name
     * unchanged.
     */
    public static String plainAlgorithm(String algorithm) {
        return isCertificateType(algorithm) ? algorithm.substring(0, algorithm.length() - SUFFIX.length())
                : algorithm;
    }

    /**
     * Decodes what follows the type string of a certificate blob and checks the CA's signature.
     *
     * @param certType the type string already read
     * @param r positioned after the type string
     * @param whole the whole blob, for the signed part
     */
    static OpenSshCertificate decodeAfterType(String certType, SshReader r, byte[] whole) {
        String plainType = plainAlgorithm(certType);
        byte[] nonce = r.readBytes();
        SshPublicKey key;
        EcdsaPublicKey.Curve curve = EcdsaPublicKey.Curve.byKeyType(plainType);
        if (Ed25519PublicKey.TYPE.equals(plainType)) {
            key = Ed25519PublicKey.decodeAfterType(r);
        } else if (RsaPublicKey.TYPE.equals(plainType)) {
            key = RsaPublicKey.decodeAfterType(r);
        } else if (curve != null) {
            key = EcdsaPublicKey.decodeAfterType(curve, r);
        } else {
            throw new KeyFormatException("unsupported certificate type \"" + PublicKeys.printable(certType) + "\"");
        }
        Builder b = new Builder(key, Type.USER, nonce).serial(r.readUint64());
        b.type = Type.of(r.readUint32());
        b.keyId(r.readUtf8());
        b.principals(readPrincipals(r.readBytes()));
        b.validAfter(r.readUint64()).validBefore(r.readUint64());
        b.criticalOptions.putAll(readOptions(r.readBytes(), "critical option"));
        b.extensions.putAll(readOptions(r.readBytes(), "extension"));
        b.reserved = r.readBytes();
        byte[] caBlob = r.readBytes();
        int signedLength = whole.length - r.remaining();
        byte[] signature = r.readBytes();
        if (r.remaining() != 0) {
            throw new KeyFormatException(r.remaining() + " trailing bytes after " + certType);
        }
        SshPublicKey ca = PublicKeys.fromBlob(caBlob);
        if (ca instanceof OpenSshCertificate) {
            throw new KeyFormatException("certificate signed by a certificate (chained certificates are not "
                    + "supported)");
        }
        // Any algorithm the CA key can sign with verifies here, SHA-1 ssh-rsa too: CASignatureAlgorithms, which
        // leaves ssh-rsa out by default, is the policy of whoever trusts the CA (see caSignatureAlgorithm()).
        String caAlgorithm = PublicKeys.signatureAlgorithmOf(signature);
        if (caAlgorithm == null || !ca.verify(caAlgorithm, Arrays.copyOf(whole, signedLength), signature)) {
            throw new KeyFormatException("certificate signature verification failed");
        }
        return new OpenSshCertificate(b, ca, signature, whole.clone());
    }

    private static List<String> readPrincipals(byte[] field) {
        SshReader r = SshReader.of(field);
        List<String> out = new ArrayList<>();
        while (r.remaining() > 0) {
            out.add(r.readUtf8());
        }
        return out;
    }

    /** A critical options or extensions field: {@code string name, string data} pairs, each name once. */
    private static Map<String, byte[]> readOptions(byte[] field, String what) {
        SshReader r = SshReader.of(field);
        Map<String, byte[]> out = new LinkedHashMap<>();
        while (r.remaining() > 0) {
            String name = r.readUtf8();
            if (out.put(name, r.readBytes()) != null) {
                throw new KeyFormatException("certificate " + what + " \"" + PublicKeys.printable(name)
                        + "\" appears twice");
            }
        }
        return out;
    }

    private static Map<String, byte[]> copy(Map<String, byte[]> options) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        options.forEach((k, v) -> out.put(k, v.clone()));
        return Collections.unmodifiableMap(out);
    }

    /** The certified key, e.g. the user's Ed25519 key. */
    public SshPublicKey certifiedKey() {
        return key;
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    /** The CA's serial number, an unsigned 64-bit value (0 when the CA does not number its certificates). */
    public long serial() {
        return serial;
    }

    public Type type() {
        return type;
    }

    /** The CA's free-form identifier, which sshd logs ("Accepted certificate ID …"). */
    public String keyId() {
        return keyId;
    }

    /** The user names (user certificates) or host names (host certificates) it is valid for; empty means any. */
    public List<String> principals() {
        return principals;
    }

    /** Seconds since the epoch from which the certificate is valid, unsigned. */
    public long validAfter() {
        return validAfter;
    }

    /** Seconds since the epoch from which the certificate is no longer valid, unsigned; {@link #FOREVER} for never. */
    public long validBefore() {
        return validBefore;
    }

    /** Critical options by name, in certificate order, with their raw data (a string for the two defined ones). */
    public Map<String, byte[]> criticalOptions() {
        return copy(criticalOptions);
    }

    /** Extensions by name, in certificate order, with their raw data (empty for the defined ones). */
    public Map<String, byte[]> extensions() {
        return copy(extensions);
    }

    /** The names of the extensions, e.g. {@code permit-port-forwarding}. */
    public List<String> extensionNames() {
        return List.copyOf(extensions.keySet());
    }

    /** The names of the critical options, e.g. {@code force-command}. */
    public List<String> criticalOptionNames() {
        return List.copyOf(criticalOptions.keySet());
    }

    /**
     * The string value of a critical option whose data is one string ({@code force-command},
     * {@code source-address}); empty if the option is absent.
     *
     * @throws KeyFormatException if the option's data is not exactly one string
     */
    public Optional<String> criticalOptionString(String name) {
        byte[] data = criticalOptions.get(name);
        if (data == null) {
            return Optional.empty();
        }
        try {
            SshReader r = SshReader.of(data);
            String value = r.readUtf8();
            if (r.remaining() != 0) {
                throw new KeyFormatException("certificate option \"" + name + "\" has trailing data");
            }
            return Optional.of(value);
        } catch (KeyFormatException e) {
            throw e;
        } catch (SshException e) {
            throw new KeyFormatException("certificate option \"" + name + "\" is malformed", e);
        }
    }

    /** The reserved field, empty in every certificate OpenSSH makes. */
    public byte[] reserved() {
        return reserved.clone();
    }

    /** The CA key that signed the certificate. */
    public SshPublicKey signatureKey() {
        return signatureKey;
    }

    /** The CA's signature blob ({@code string algorithm, string signature}). */
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * The algorithm of the CA's signature ({@code ssh-ed25519}, {@code rsa-sha2-512}, {@code ssh-rsa}, …), the name
     * CASignatureAlgorithms lists; the blob was verified on decode, so it is well formed.
     */
    public String caSignatureAlgorithm() {
        return SshReader.of(signature).readUtf8();
    }

    /**
     * Whether the certificate is valid for {@code name} at {@code now}, in OpenSSH's words (sshkey.c
     * sshkey_cert_check_authority): null when it is, else the reason sshd and ssh log, e.g.
     * {@code "Certificate invalid: expired"}.
     *
     * @param want the type required
     * @param requirePrincipal whether an empty principal list is refused ("Certificate lacks principal list")
     * @param name the user or host name that must be a listed principal, or null to skip that check
     */
    public String checkAuthority(Type want, boolean requirePrincipal, Instant now, String name) {
        if (type != want) {
            return "Certificate invalid: not a " + (want == Type.HOST ? "host" : "user") + " certificate";
        }
        long t = now.getEpochSecond();
        if (Long.compareUnsigned(t, validAfter) < 0) {
            return "Certificate invalid: not yet valid";
        }
        if (Long.compareUnsigned(t, validBefore) >= 0) {
            return "Certificate invalid: expired";
        }
        if (principals.isEmpty()) {
            return requirePrincipal ? "Certificate lacks principal list" : null;
        }
        if (name != null && !principals.contains(name)) {
            return "Certificate invalid: name is not a listed principal";
        }
        return null;
    }

    /**
     * This certificate with the private half of its certified key: an identity that signs with the certificate
     * algorithms.
     *
     * @throws IllegalArgumentException if {@code privateKey} is not the certified key's
     */
    public SshKeyPair withPrivateKey(SshKeyPair privateKey) {
        if (!privateKey.publicKey().equals(key)) {
            throw new IllegalArgumentException("certificate does not match private key");
        }
        return new CertifiedKeyPair(this, privateKey);
    }

    @Override
    public String keyType() {
        return keyType;
    }

    @Override
    public int bits() {
        return key.bits();
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    /** The certified key's algorithms in their certificate form: rsa-sha2-512/256 for RSA (RFC 8332). */
    @Override
    public List<String> signatureAlgorithms() {
        return key.signatureAlgorithms().stream().map(a -> a + SUFFIX).toList();
    }

    /** The certificate forms of what the certified key supports; for RSA also {@code ssh-rsa-cert-v01}, by name. */
    @Override
    public boolean supportsSignatureAlgorithm(String signatureAlgorithm) {
        return isCertificateType(signatureAlgorithm)
                && key.supportsSignatureAlgorithm(plainAlgorithm(signatureAlgorithm));
    }

    @Override
    public boolean verify(byte[] data, byte[] signatureBlob) {
        return key.verify(data, signatureBlob);
    }

    /** The certified key's fingerprint, as OpenSSH computes a certificate's (sshkey_fingerprint hashes the plain key). */
    @Override
    public String fingerprint() {
        return key.fingerprint();
    }

    /** A signature made by the certified key with the plain form of {@code signatureAlgorithm}. */
    @Override
    public boolean verify(String signatureAlgorithm, byte[] data, byte[] signatureBlob) {
        return supportsSignatureAlgorithm(signatureAlgorithm)
                && key.verify(plainAlgorithm(signatureAlgorithm), data, signatureBlob);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenSshCertificate && Arrays.equals(blob, ((OpenSshCertificate) o).blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return PublicKeys.displayName(keyType) + " " + key.fingerprint() + " ID \"" + keyId + "\" serial "
                + Long.toUnsignedString(serial) + " signed by " + PublicKeys.displayName(signatureKey.keyType()) + " "
                + signatureKey.fingerprint();
    }

    /**
     * The fields of a certificate before a CA signs it (what {@code ssh-keygen -s} gathers from its options). Not
     * thread-safe; use one per certificate.
     */
    public static final class Builder {
        private final SshPublicKey key;
        private Type type;
        private byte[] nonce;
        private long serial;
        private String keyId = "";
        private List<String> principals = List.of();
        private long validAfter;
        private long validBefore = FOREVER;
        private final Map<String, byte[]> criticalOptions = new LinkedHashMap<>();
        private final Map<String, byte[]> extensions = new LinkedHashMap<>();
        private byte[] reserved = new byte[0];

        private Builder(SshPublicKey key, Type type, byte[] nonce) {
            if (key instanceof OpenSshCertificate) {
                throw new IllegalArgumentException("cannot certify a certificate");
            }
            this.key = key;
            this.type = type;
            this.nonce = nonce;
        }

        public Builder nonce(byte[] value) {
            nonce = value.clone();
            return this;
        }

        public Builder serial(long value) {
            serial = value;
            return this;
        }

        public Builder keyId(String value) {
            keyId = value;
            return this;
        }

        public Builder principals(List<String> value) {
            principals = List.copyOf(value);
            return this;
        }

        /** Unsigned seconds since the epoch. */
        public Builder validAfter(long value) {
            validAfter = value;
            return this;
        }

        /** Unsigned seconds since the epoch; {@link #FOREVER} for no end. */
        public Builder validBefore(long value) {
            validBefore = value;
            return this;
        }

        /** A critical option whose data is one string ({@code force-command}, {@code source-address}). */
        public Builder criticalOption(String name, String value) {
            return criticalOption(name, SshWriter.heap().writeUtf8(value).toByteArray());
        }

        /** A critical option with raw data; options are written in the order added (OpenSSH sorts them by name). */
        public Builder criticalOption(String name, byte[] data) {
            criticalOptions.put(name, data.clone());
            return this;
        }

        /** An extension with empty data, e.g. {@code permit-pty}. */
        public Builder extension(String name) {
            return extension(name, new byte[0]);
        }

        public Builder extension(String name, byte[] data) {
            extensions.put(name, data.clone());
            return this;
        }

        /** The certificate, signed by {@code ca} with {@code signatureAlgorithm} (e.g. rsa-sha2-512 for an RSA CA). */
        public OpenSshCertificate sign(SshKeyPair ca, String signatureAlgorithm) {
            if (ca.publicKey() instanceof OpenSshCertificate) {
                throw new IllegalArgumentException("a certificate cannot sign certificates");
            }
            byte[] plain = key.blob();
            int typeLength = 4 + key.keyType().length();
            SshWriter w = SshWriter.heap().writeAscii(key.keyType() + SUFFIX).writeBytes(nonce)
                    .writeRaw(Arrays.copyOfRange(plain, typeLength, plain.length))
                    .writeUint64(serial).writeUint32(type.code).writeUtf8(keyId);
            SshWriter p = SshWriter.heap();
            principals.forEach(p::writeUtf8);
            w.writeBytes(p.toByteArray()).writeUint64(validAfter).writeUint64(validBefore)
                    .writeBytes(options(criticalOptions)).writeBytes(options(extensions)).writeBytes(reserved)
                    .writeBytes(ca.publicKey().blob());
            byte[] signed = w.toByteArray();
            byte[] sig = ca.sign(signatureAlgorithm, signed);
            byte[] whole = SshWriter.heap().writeRaw(signed).writeBytes(sig).toByteArray();
            return new OpenSshCertificate(this, ca.publicKey(), sig, whole);
        }

        private static byte[] options(Map<String, byte[]> options) {
            SshWriter w = SshWriter.heap();
            options.forEach((name, data) -> w.writeUtf8(name).writeBytes(data));
            return w.toByteArray();
        }
    }
}
