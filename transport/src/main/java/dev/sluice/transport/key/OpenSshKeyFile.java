package dev.sluice.transport.key;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.crypto.generators.BCrypt;

/**
 * Reads and writes OpenSSH private key files, the "openssh-key-v1" format of PROTOCOL.key that
 * {@code ssh-keygen} has written by default since OpenSSH 7.8, plus the matching .pub file. Reading also accepts the
 * PEM formats ssh reads through OpenSSL ({@code ssh-keygen -m PEM} and {@code -m PKCS8}, plain or encrypted).
 *
 * <p>Encrypted files use the "bcrypt" KDF, which is OpenBSD's bcrypt_pbkdf (a PBKDF2-like construction over a
 * modified bcrypt hash, not bcrypt itself); Bouncy Castle's {@link BCrypt#pbkdfGenerate} implements exactly it,
 * as the OpenBSD test vectors in the tests show. Reading accepts aes256-ctr (ssh-keygen's default) and
 * aes256-gcm@openssh.com; writing uses aes256-ctr with 16 rounds and a 16-byte salt, as ssh-keygen does.
 *
 * <h3>Secrets</h3>
 * Passphrases, derived keys and decrypted sections are zeroed after use. A passphrase obtained from the
 * {@code Supplier} given to {@link #read} belongs to this class afterwards and is zeroed too.
 */
public final class OpenSshKeyFile {
    static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    static final String END = "-----END OPENSSH PRIVATE KEY-----";
    /** ssh-keygen wraps the base64 at 70 columns (sshbuf_dtob64 with wrap in sshkey.c). */
    static final int LINE_WIDTH = 70;
    static final int DEFAULT_ROUNDS = 16;
    static final int SALT_LENGTH = 16;
    /**
     * The most bcrypt rounds a file may ask for. Each round costs about 20 ms here, so this allows minutes of
     * work for a user who chose a very slow KDF, while a corrupt or hostile rounds field (a uint32) cannot hang
     * the caller for days.
     */
    static final int MAX_ROUNDS = 10_000;
    private static final byte[] AUTH_MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final String KDF_NONE = "none";
    private static final String KDF_BCRYPT = "bcrypt";

    private OpenSshKeyFile() {
    }

    /**
     * Reads a private key file.
     *
     * @param passphrase asked only if the file is encrypted; may be null, or return null, for "no passphrase".
     *     The returned array is zeroed after use.
     * @throws IncorrectPassphraseException if the file is encrypted and the passphrase is missing or wrong
     * @throws KeyFormatException if the file is not a well-formed openssh-key-v1 or PEM (PKCS#1, SEC1, PKCS#8) file
     *     of a supported type
     */
    public static SshKeyPair read(Path file, Supplier<char[]> passphrase) throws IOException {
        return parse(readText(file), passphrase);
    }

    /** As {@link #read} for the file's text. */
    public static SshKeyPair parse(String text, Supplier<char[]> passphrase) {
        return parse(text, passphrase, MAX_ROUNDS);
    }

    static SshKeyPair parse(String text, Supplier<char[]> passphrase, int maxRounds) {
        if (PemKeyFile.isPem(text)) {
            return PemKeyFile.parse(text, passphrase);
        }
        Container c = Container.parse(text);
        byte[] plain = null;
        try {
            if (c.cipher == KeyFileCipher.NONE) {
                plain = c.sealed;
            } else {
                byte[] keyAndIv = derive(c, passphrase == null ? null : passphrase.get(), maxRounds);
                try {
                    plain = c.cipher.decrypt(keyAndIv, c.sealed);
                } finally {
                    Arrays.fill(keyAndIv, (byte) 0);
                }
            }
            return decodePrivate(plain, c);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    /** The public key from the file's unencrypted header, without asking for a passphrase. */
    public static SshPublicKey readPublicKey(Path file) throws IOException {
        return PublicKeys.fromBlob(Container.parse(readText(file)).publicBlob);
    }

    /** Whether the file is passphrase-protected (its cipher is not "none"). */
    public static boolean isEncrypted(Path file) throws IOException {
        String text = readText(file);
        return PemKeyFile.isPem(text) ? PemKeyFile.isEncrypted(text)
                : Container.parse(text).cipher != KeyFileCipher.NONE;
    }

    /**
     * Writes {@code key} to {@code file} with permissions 0600 (replacing it atomically), and its public key to
     * {@code file + ".pub"} as {@code "type base64 comment\n"}, as {@code ssh-keygen -f file} does.
     *
     * @param passphraseOrNull null or empty for an unencrypted file; not zeroed (the caller owns it)
     */
    public static void write(Path file, SshKeyPair key, char[] passphraseOrNull) throws IOException {
        writePrivateFile(file, encode(key, passphraseOrNull));
        Files.writeString(publicKeyPath(file), key.publicKey().toOpenSshLine(key.comment()) + "\n",
                StandardCharsets.UTF_8);
    }

    /** The file's text, as {@link #write} stores it (the .pub part aside). */
    public static String encode(SshKeyPair key, char[] passphraseOrNull) {
        boolean encrypt = passphraseOrNull != null && passphraseOrNull.length > 0;
        return encode(key, passphraseOrNull, encrypt ? KeyFileCipher.AES256_CTR : KeyFileCipher.NONE,
                DEFAULT_ROUNDS, new SecureRandom());
    }

    /** The .pub file next to a private key file: the same name with ".pub" appended. */
    public static Path publicKeyPath(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }

    /**
     * Whether a private key file is readable or writable by group or others while owned by the current user:
     * OpenSSH then refuses it ("UNPROTECTED PRIVATE KEY FILE!", sshkey_perm_ok). False where the file system
     * has no POSIX permissions.
     */
    public static boolean permissionsTooOpen(Path file) throws IOException {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return false;
        }
        boolean ours = attrs.owner().getName().equals(System.getProperty("user.name"));
        Set<PosixFilePermission> open = EnumSet.copyOf(attrs.permissions());
        open.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        return ours && !open.isEmpty();
    }

    static String encode(SshKeyPair key, char[] passphrase, KeyFileCipher cipher, int rounds, SecureRandom random) {
        if (!(key instanceof Ed25519KeyPair || key instanceof EcdsaKeyPair || key instanceof RsaKeyPair)) {
            throw new IllegalArgumentException("cannot write " + key.publicKey().keyType() + " keys to a file");
        }
        byte[] plain = privateSection(key, cipher.blockSize, random);
        try {
            SshWriter out = SshWriter.heap().writeRaw(AUTH_MAGIC).writeAscii(cipher.wireName);
            if (cipher == KeyFileCipher.NONE) {
                out.writeAscii(KDF_NONE).writeBytes(new byte[0]).writeUint32(1)
                        .writeBytes(key.publicKey().blob()).writeBytes(plain);
            } else {
                byte[] salt = new byte[SALT_LENGTH];
                random.nextBytes(salt);
                byte[] kdfOptions = SshWriter.heap().writeBytes(salt).writeUint32(rounds).toByteArray();
                byte[] keyAndIv = bcryptPbkdf(passphrase, salt, rounds, cipher.keyLength + cipher.ivLength);
                byte[] sealed;
                try {
                    sealed = cipher.encrypt(keyAndIv, plain);
                } finally {
                    Arrays.fill(keyAndIv, (byte) 0);
                }
                // The string holds the ciphertext; a GCM tag follows it outside the length (PROTOCOL.key, sshkey.c).
                out.writeAscii(KDF_BCRYPT).writeBytes(kdfOptions).writeUint32(1)
                        .writeBytes(key.publicKey().blob()).writeUint32(plain.length).writeRaw(sealed);
            }
            return armour(out.toByteArray());
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** check, check, the key, comment, then padding 1, 2, 3… to a whole number of cipher blocks. */
    private static byte[] privateSection(SshKeyPair key, int blockSize, SecureRandom random) {
        byte[] comment = key.comment().getBytes(StandardCharsets.UTF_8);
        // Sized up front so the buffer never grows and leaves an unzeroed copy of the secret behind: an RSA key's
        // six numbers take at most 4.5 times its modulus.
        int keySize = key instanceof RsaKeyPair ? key.publicKey().bits() * 5 / 8 : 0;
        SshWriter w = new SshWriter(Unpooled.buffer(512 + keySize + comment.length));
        try {
            int check = random.nextInt();
            w.writeUint32(check).writeUint32(check);
            if (key instanceof Ed25519KeyPair) {
                ((Ed25519KeyPair) key).writePrivate(w);
            } else if (key instanceof EcdsaKeyPair) {
                ((EcdsaKeyPair) key).writePrivate(w);
            } else {
                ((RsaKeyPair) key).writePrivate(w);
            }
            w.writeBytes(comment);
            for (int pad = 1; w.buffer().readableBytes() % blockSize != 0; pad++) {
                w.writeByte(pad);
            }
            return w.toByteArray();
        } finally {
            w.buffer().setZero(0, w.buffer().capacity());
        }
    }

    private static SshKeyPair decodePrivate(byte[] plain, Container c) {
        boolean encrypted = c.cipher != KeyFileCipher.NONE;
        try {
            SshReader r = SshReader.of(plain);
            if (r.readUint32() != r.readUint32()) {
                // For an encrypted file this is how a wrong passphrase shows (sshkey.c private2_check_padding).
                throw encrypted ? new IncorrectPassphraseException()
                        : new KeyFormatException("corrupt private key: check bytes differ");
            }
            String type = r.readAscii();
            EcdsaPublicKey.Curve curve = EcdsaPublicKey.Curve.byKeyType(type);
            PendingKey pending;
            if (Ed25519PublicKey.TYPE.equals(type)) {
                pending = readEd25519(r);
            } else if (RsaPublicKey.TYPE.equals(type)) {
                pending = readRsa(r);
            } else if (curve != null) {
                pending = readEcdsa(curve, r);
            } else {
                throw new KeyFormatException("unsupported private key type \"" + PublicKeys.printable(type) + "\"");
            }
            String comment = r.readUtf8();
            for (int i = 1; r.remaining() > 0; i++) {
                if ((r.readByte() & 0xff) != (i & 0xff)) {
                    throw new KeyFormatException("corrupt private key: bad padding");
                }
            }
            SshKeyPair key = pending.build(comment);
            if (!Arrays.equals(key.publicKey().blob(), c.publicBlob)) {
                key.destroy();
                throw new KeyFormatException("private key does not match its public key");
            }
            return key;
        } catch (KeyFormatException e) {
            throw e;
        } catch (SshException e) {
            throw new KeyFormatException("corrupt private key: " + e.getMessage(), e);
        }
    }

    /** A private key read up to its comment, which follows it in the file. */
    private interface PendingKey {
        SshKeyPair build(String comment);
    }

    private static PendingKey readEd25519(SshReader r) {
        byte[] publicKey = r.readBytes();
        byte[] secret = r.readBytes();
        try {
            if (publicKey.length != Ed25519PublicKey.KEY_LENGTH
                    || secret.length != Ed25519KeyPair.SEED_LENGTH + Ed25519PublicKey.KEY_LENGTH) {
                throw new KeyFormatException("bad ssh-ed25519 private key lengths");
            }
            byte[] seed = Arrays.copyOf(secret, Ed25519KeyPair.SEED_LENGTH);
            boolean tailMatches = MessageDigest.isEqual(
                    Arrays.copyOfRange(secret, Ed25519KeyPair.SEED_LENGTH, secret.length), publicKey);
            return comment -> {
                try {
                    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seed, comment);
                    if (!tailMatches || !MessageDigest.isEqual(((Ed25519PublicKey) key.publicKey()).rawKey(),
                            publicKey)) {
                        key.destroy();
                        throw new KeyFormatException("private key does not match its public key");
                    }
                    return key;
                } finally {
                    Arrays.fill(seed, (byte) 0);
                }
            };
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static PendingKey readEcdsa(EcdsaPublicKey.Curve curve, SshReader r) {
        EcdsaPublicKey stored = EcdsaPublicKey.decodeAfterType(curve, r);
        BigInteger d = r.readMpint();
        return comment -> {
            EcdsaKeyPair key = new EcdsaKeyPair(curve, d, comment);
            if (!key.publicKey().equals(stored)) {
                key.destroy();
                throw new KeyFormatException("private key does not match its public key");
            }
            return key;
        };
    }

    private static PendingKey readRsa(SshReader r) {
        BigInteger n = r.readMpint();
        BigInteger e = r.readMpint();
        BigInteger d = r.readMpint();
        BigInteger iqmp = r.readMpint();
        BigInteger p = r.readMpint();
        BigInteger q = r.readMpint();
        return comment -> RsaKeyPair.fromComponents(n, e, d, iqmp, p, q, comment);
    }

    private static byte[] derive(Container c, char[] passphrase, int maxRounds) {
        try {
            if (!KDF_BCRYPT.equals(c.kdfName)) {
                throw new KeyFormatException("unsupported KDF \"" + PublicKeys.printable(c.kdfName) + "\"");
            }
            byte[] salt;
            int rounds;
            try {
                SshReader r = SshReader.of(c.kdfOptions);
                salt = r.readBytes();
                rounds = r.readUint32();
                r.ensureEnd("bcrypt KDF options");
            } catch (SshException e) {
                throw new KeyFormatException("corrupt bcrypt KDF options: " + e.getMessage(), e);
            }
            if (salt.length == 0 || rounds <= 0 || rounds > maxRounds) {
                throw new KeyFormatException("bad bcrypt KDF options: salt " + salt.length + " bytes, rounds "
                        + Integer.toUnsignedLong(rounds) + " (at most " + maxRounds + ")");
            }
            if (passphrase == null || passphrase.length == 0) {
                throw new IncorrectPassphraseException();
            }
            return bcryptPbkdf(passphrase, salt, rounds, c.cipher.keyLength + c.cipher.ivLength);
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
    }

    /** bcrypt_pbkdf over the passphrase's UTF-8 bytes, which are zeroed afterwards. */
    static byte[] bcryptPbkdf(char[] passphrase, byte[] salt, int rounds, int length) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        try {
            return BCrypt.pbkdfGenerate(bytes, salt, rounds, length);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }

    private static String armour(byte[] binary) {
        String b64 = Base64.getEncoder().encodeToString(binary);
        StringBuilder sb = new StringBuilder(b64.length() + b64.length() / LINE_WIDTH + 80);
        sb.append(BEGIN).append('\n');
        for (int i = 0; i < b64.length(); i += LINE_WIDTH) {
            sb.append(b64, i, Math.min(b64.length(), i + LINE_WIDTH)).append('\n');
        }
        return sb.append(END).append('\n').toString();
    }

    private static String readText(Path file) throws IOException {
        // ISO-8859-1 maps every byte, so a binary or foreign file fails as a format error, not a charset error.
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    private static void writePrivateFile(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        // A temporary file created 0600 and moved into place: the secret is never in a file others can read.
        Path tmp = posix
                ? Files.createTempFile(dir, ".sluice-key", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".sluice-key", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The unencrypted outer structure of the file (PROTOCOL.key section 1). */
    private static final class Container {
        final KeyFileCipher cipher;
        final String kdfName;
        final byte[] kdfOptions;
        final byte[] publicBlob;
        /** The private section as stored: ciphertext, followed by the tag for an AEAD cipher. */
        final byte[] sealed;

        private Container(KeyFileCipher cipher, String kdfName, byte[] kdfOptions, byte[] publicBlob,
                byte[] sealed) {
            this.cipher = cipher;
            this.kdfName = kdfName;
            this.kdfOptions = kdfOptions;
            this.publicBlob = publicBlob;
            this.sealed = sealed;
        }

        static Container parse(String text) {
            byte[] binary = dearmour(text);
            if (binary.length < AUTH_MAGIC.length
                    || !Arrays.equals(binary, 0, AUTH_MAGIC.length, AUTH_MAGIC, 0, AUTH_MAGIC.length)) {
                throw new KeyFormatException("not an openssh-key-v1 private key");
            }
            try {
                SshReader r = new SshReader(
                        Unpooled.wrappedBuffer(binary, AUTH_MAGIC.length, binary.length - AUTH_MAGIC.length));
                KeyFileCipher cipher = KeyFileCipher.byName(r.readAscii());
                String kdfName = r.readAscii();
                byte[] kdfOptions = r.readBytes();
                int keys = r.readUint32();
                if (keys != 1) {
                    // OpenSSH only ever writes, and only reads, one key per file.
                    throw new KeyFormatException("private key file holds " + Integer.toUnsignedLong(keys)
                            + " keys, expected 1");
                }
                byte[] publicBlob = r.readBytes();
                int encryptedLength = r.readUint32();
                if (encryptedLength < 0 || r.remaining() - cipher.tagLength != encryptedLength) {
                    throw new KeyFormatException("corrupt private key: encrypted section is "
                            + Integer.toUnsignedLong(encryptedLength) + " bytes but " + r.remaining()
                            + " follow");
                }
                byte[] sealed = r.readRemaining();
                if (encryptedLength == 0 || encryptedLength % cipher.blockSize != 0) {
                    throw new KeyFormatException("corrupt private key: section of " + encryptedLength
                            + " bytes is not a multiple of the " + cipher.blockSize + "-byte block");
                }
                boolean kdfNone = KDF_NONE.equals(kdfName);
                if ((cipher == KeyFileCipher.NONE) != kdfNone || (kdfNone && kdfOptions.length != 0)) {
                    throw new KeyFormatException("inconsistent cipher \"" + cipher.wireName + "\" and KDF \""
                            + PublicKeys.printable(kdfName) + "\"");
                }
                return new Container(cipher, kdfName, kdfOptions, publicBlob, sealed);
            } catch (KeyFormatException e) {
                throw e;
            } catch (SshException e) {
                throw new KeyFormatException("corrupt private key file: " + e.getMessage(), e);
            }
        }

        private static byte[] dearmour(String text) {
            int begin = text.indexOf(BEGIN);
            if (begin < 0) {
                int other = text.indexOf("-----BEGIN ");
                if (other >= 0) {
                    int stop = text.indexOf("-----", other + 11);
                    String label = stop > 0 ? text.substring(other + 11, stop) : "?";
                    throw new KeyFormatException("not an OpenSSH private key: PEM \"" + PublicKeys.printable(label)
                            + "\" files are not supported; convert with ssh-keygen -p");
                }
                throw new KeyFormatException("not an OpenSSH private key: no \"" + BEGIN + "\" line");
            }
            int end = text.indexOf(END, begin);
            if (end < 0) {
                throw new KeyFormatException("OpenSSH private key has no \"" + END + "\" line");
            }
            String body = text.substring(begin + BEGIN.length(), end).replaceAll("[ \t\r\n]", "");
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new KeyFormatException("OpenSSH private key is not valid base64", e);
            }
        }
    }
}
