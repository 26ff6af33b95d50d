package dev.sluice.transport.kex;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshWriter;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.EncapsulatedSecretExtractor;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMExtractor;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;

/**
 * A post-quantum KEM combined with X25519, as draft-ietf-sshm-mlkem-hybrid-kex section 2 and OpenSSH's
 * sntrup761x25519 define it: Q_C = KEM public key || X25519 public key, Q_S = KEM ciphertext || X25519 public key,
 * K = HASH(K_PQ || K_CL) with K_CL the raw X25519 output, and K enters H and the key derivation as a string (not an
 * mpint). Wrong lengths abort the exchange (KEY_EXCHANGE_FAILED).
 */
final class HybridKemAgreement implements Agreement {

    /** The two KEMs SSH pairs with X25519. Bouncy Castle supplies both. */
    enum Kem {
        SNTRUP761(1158, 1039) {
            @Override
            AsymmetricCipherKeyPair generate(SecureRandom random) {
                SNTRUPrimeKeyPairGenerator g = new SNTRUPrimeKeyPairGenerator();
                g.init(new SNTRUPrimeKeyGenerationParameters(random, SNTRUPrimeParameters.sntrup761));
                return g.generateKeyPair();
            }

            @Override
            SecretWithEncapsulation encapsulate(byte[] publicKey, SecureRandom random) {
                return new SNTRUPrimeKEMGenerator(random).generateEncapsulated(
                        new SNTRUPrimePublicKeyParameters(SNTRUPrimeParameters.sntrup761, publicKey));
            }

            @Override
            EncapsulatedSecretExtractor extractor(AsymmetricCipherKeyPair pair) {
                return new SNTRUPrimeKEMExtractor((SNTRUPrimePrivateKeyParameters) pair.getPrivate());
            }

            @Override
            byte[] publicKey(AsymmetricCipherKeyPair pair) {
                return ((SNTRUPrimePublicKeyParameters) pair.getPublic()).getEncoded();
            }
        },
        MLKEM768(1184, 1088) {
            @Override
            AsymmetricCipherKeyPair generate(SecureRandom random) {
                MLKEMKeyPairGenerator g = new MLKEMKeyPairGenerator();
                g.init(new MLKEMKeyGenerationParameters(random, MLKEMParameters.ml_kem_768));
                return g.generateKeyPair();
            }

            @Override
            SecretWithEncapsulation encapsulate(byte[] publicKey, SecureRandom random) {
                return new MLKEMGenerator(random).generateEncapsulated(
                        new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, publicKey));
            }

            @Override
            EncapsulatedSecretExtractor extractor(AsymmetricCipherKeyPair pair) {
                return new MLKEMExtractor((MLKEMPrivateKeyParameters) pair.getPrivate());
            }

            @Override
            byte[] publicKey(AsymmetricCipherKeyPair pair) {
                return ((MLKEMPublicKeyParameters) pair.getPublic()).getEncoded();
            }
        };

        final int publicKeyLength;
        final int ciphertextLength;

        Kem(int publicKeyLength, int ciphertextLength) {
            this.publicKeyLength = publicKeyLength;
            this.ciphertextLength = ciphertextLength;
        }

        abstract AsymmetricCipherKeyPair generate(SecureRandom random);

        abstract SecretWithEncapsulation encapsulate(byte[] publicKey, SecureRandom random);

        abstract EncapsulatedSecretExtractor extractor(AsymmetricCipherKeyPair pair);

        abstract byte[] publicKey(AsymmetricCipherKeyPair pair);
    }

    private final Kem kem;
    private final String hash;
    private final SecureRandom random;
    private final X25519Agreement x25519;
    private AsymmetricCipherKeyPair kemPair;

    HybridKemAgreement(Kem kem, String hash, SecureRandom random) {
        this.kem = kem;
        this.hash = hash;
        this.random = random;
        this.x25519 = new X25519Agreement(random, null);
    }

    @Override
    public byte[] clientValue() {
        kemPair = kem.generate(random);
        byte[] pq = kem.publicKey(kemPair);
        byte[] cl = x25519.generate();
        byte[] out = Arrays.copyOf(pq, pq.length + cl.length);
        System.arraycopy(cl, 0, out, pq.length, cl.length);
        return out;
    }

    @Override
    public byte[] clientSecret(byte[] serverValue) {
        if (serverValue.length != kem.ciphertextLength + X25519Agreement.KEY_LENGTH) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "%s: server reply has %d bytes, expected %d",
                    kem, serverValue.length, kem.ciphertextLength + X25519Agreement.KEY_LENGTH);
        }
        byte[] pq = kem.extractor(kemPair).extractSecret(Arrays.copyOf(serverValue, kem.ciphertextLength));
        kemPair = null;
        byte[] cl = x25519.raw(serverValue, kem.ciphertextLength, X25519Agreement.KEY_LENGTH);
        return combine(pq, cl);
    }

    @Override
    public Response serverRespond(byte[] clientValue) {
        if (clientValue.length != kem.publicKeyLength + X25519Agreement.KEY_LENGTH) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "%s: client key has %d bytes, expected %d",
                    kem, clientValue.length, kem.publicKeyLength + X25519Agreement.KEY_LENGTH);
        }
        SecretWithEncapsulation enc = kem.encapsulate(Arrays.copyOf(clientValue, kem.publicKeyLength), random);
        byte[] pq = enc.getSecret();
        byte[] ct = enc.getEncapsulation();
        byte[] cl25519 = x25519.generate();
        byte[] cl = x25519.raw(clientValue, kem.publicKeyLength, X25519Agreement.KEY_LENGTH);
        byte[] serverValue = Arrays.copyOf(ct, ct.length + cl25519.length);
        System.arraycopy(cl25519, 0, serverValue, ct.length, cl25519.length);
        return new Response(serverValue, combine(pq, cl));
    }

    /** K = string HASH(K_PQ || K_CL); both inputs are zeroed. */
    private byte[] combine(byte[] pq, byte[] cl) {
        MessageDigest md = ExchangeHash.newDigest(hash);
        md.update(pq);
        md.update(cl);
        byte[] k = md.digest();
        Arrays.fill(pq, (byte) 0);
        Arrays.fill(cl, (byte) 0);
        SshWriter w = SshWriter.heap();
        try {
            return w.writeBytes(k).toByteArray();
        } finally {
            w.buffer().setZero(0, w.buffer().capacity());
            Arrays.fill(k, (byte) 0);
        }
    }
}
