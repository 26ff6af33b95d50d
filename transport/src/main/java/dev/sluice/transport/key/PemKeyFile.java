package dev.sluice.transport.key;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.Provider;
import java.util.Arrays;
import java.util.function.Supplier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Private keys in the PEM formats OpenSSH reads through OpenSSL (what {@code ssh-keygen -m PEM} and
 * {@code -m PKCS8} write): PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, PKCS#8 {@code PRIVATE KEY},
 * and their encrypted forms (legacy {@code Proc-Type: 4,ENCRYPTED} with DEK-Info, PKCS#8
 * {@code ENCRYPTED PRIVATE KEY}). Bouncy Castle's bcpkix parses and decrypts them; the result is one of Sluice's own
 * key pairs, with an empty comment (PEM has none).
 */
final class PemKeyFile {
    /**
     * OpenSSL's legacy key derivation and PKCS#5 padding exist only in Bouncy Castle's provider; it is used here
     * directly, never installed JVM-wide.
     */
    private static final Provider PROVIDER = new BouncyCastleProvider();

    private PemKeyFile() {
    }

    /** Whether {@code text} is one of the PEM private key formats rather than an openssh-key-v1 file. */
    static boolean isPem(String text) {
        return text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                || text.contains("-----BEGIN PRIVATE KEY-----")
                || text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    }

    /** Whether the PEM text needs a passphrase. */
    static boolean isEncrypted(String text) {
        return text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED");
    }

    /**
     * The key in {@code text}; {@code passphrase} is asked only for an encrypted file.
     *
     * @throws IncorrectPassphraseException if the passphrase is missing or does not decrypt the key
     * @throws KeyFormatException if the text is not a PEM private key of a supported type
     */
    static SshKeyPair parse(String text, Supplier<char[]> passphrase) {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            object = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new KeyFormatException("invalid PEM " + label(text) + " file: " + e.getMessage(), e);
        }
        PrivateKeyInfo info;
        if (object instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (object instanceof PrivateKeyInfo plain) {
            info = plain;
        } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
            info = decrypt(object, passphrase == null ? null : passphrase.get());
        } else {
            throw new KeyFormatException("not a PEM private key");
        }
        return toKeyPair(info);
    }

    /** The PEM label, e.g. "RSA PRIVATE KEY", for error messages. */
    private static String label(String text) {
        int begin = text.indexOf("-----BEGIN ");
        int end = begin < 0 ? -1 : text.indexOf("-----", begin + 11);
        return end < 0 ? "private key" : "\"" + PublicKeys.printable(text.substring(begin + 11, end)) + "\"";
    }

    private static PrivateKeyInfo decrypt(Object encrypted, char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new IncorrectPassphraseException();
        }
        try {
            if (encrypted instanceof PEMEncryptedKeyPair legacy) {
                return legacy.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(PROVIDER).build(passphrase))
                        .getPrivateKeyInfo();
            }
            return ((PKCS8EncryptedPrivateKeyInfo) encrypted).decryptPrivateKeyInfo(
                    new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(PROVIDER)
                            .build(passphrase));
        } catch (PEMException | PKCSException | OperatorCreationException | IllegalStateException e) {
            // A wrong passphrase shows as bad padding or a malformed structure; both mean "cannot decrypt".
            throw new IncorrectPassphraseException();
        } catch (IOException e) {
            throw new IncorrectPassphraseException();
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }

    private static SshKeyPair toKeyPair(PrivateKeyInfo info) {
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new KeyFormatException("unsupported PEM private key: " + e.getMessage(), e);
        }
        if (key instanceof RSAPrivateCrtKeyParameters rsa) {
            return RsaKeyPair.fromComponents(rsa.getModulus(), rsa.getPublicExponent(), rsa.getExponent(),
                    rsa.getQInv(), rsa.getP(), rsa.getQ(), "");
        }
        if (key instanceof ECPrivateKeyParameters ec) {
            BigInteger n = ec.getParameters().getN();
            EcdsaPublicKey.Curve curve = EcdsaPublicKey.Curve.byBits(n.bitLength());
            if (curve == null || !curve.domain.getN().equals(n) || !curve.domain.getG().equals(ec.getParameters()
                    .getG())) {
                throw new KeyFormatException("unsupported elliptic curve in PEM private key");
            }
            return new EcdsaKeyPair(curve, ec.getD(), "");
        }
        if (key instanceof Ed25519PrivateKeyParameters ed) {
            byte[] seed = ed.getEncoded();
            try {
                return Ed25519KeyPair.fromSeed(seed, "");
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        }
        throw new KeyFormatException("unsupported PEM private key type " + key.getClass().getSimpleName());
    }
}
