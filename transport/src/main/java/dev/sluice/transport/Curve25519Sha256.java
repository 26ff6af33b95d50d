package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;

import dev.sluice.transport.wire.SshWriter;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The {@code curve25519-sha256} key exchange of RFC 8731 (also named {@code curve25519-sha256@libssh.org}): one
 * ephemeral X25519 key pair per exchange, the shared secret encoded as an mpint, SHA-256 as the hash.
 */
final class Curve25519Sha256 {
    static final String NAME = "curve25519-sha256";
    static final String LIBSSH_NAME = "curve25519-sha256@libssh.org";
    static final String HASH = "SHA-256";

    private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
    private final byte[] publicKey = new byte[X25519.POINT_SIZE];

    Curve25519Sha256(SecureRandom random) {
        X25519.generatePrivateKey(random, privateKey);
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
    }

    byte[] publicKey() {
        return publicKey.clone();
    }

    /** A copy of the ephemeral private key, for the Wireshark key log ({@link SessionKeyLog}); zero it after use. */
    byte[] privateKey() {
        return privateKey.clone();
    }

    /**
     * The shared secret with {@code peerPublic}, encoded as the mpint that enters the exchange hash and the key
     * derivation. Zeroes the private key: an instance serves one exchange.
     */
    byte[] agree(byte[] peerPublic) {
        if (peerPublic.length != X25519.POINT_SIZE) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "curve25519: peer key has %d bytes, not 32",
                    peerPublic.length);
        }
        byte[] shared = new byte[X25519.POINT_SIZE];
        try {
            // RFC 8731 section 3: an all-zero result (a low-order peer point) must abort the exchange.
            if (!X25519.calculateAgreement(privateKey, 0, peerPublic, 0, shared, 0)) {
                throw SshException.disconnect(KEY_EXCHANGE_FAILED, "curve25519: shared secret is zero");
            }
            SshWriter w = SshWriter.heap();
            w.writeMpintUnsigned(shared);
            byte[] encoded = w.toByteArray();
            w.buffer().setZero(0, w.buffer().capacity());
            return encoded;
        } finally {
            Arrays.fill(shared, (byte) 0);
            Arrays.fill(privateKey, (byte) 0);
        }
    }
}
