package dev.sluice.transport.kex;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshWriter;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Consumer;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 (RFC 7748) as {@code curve25519-sha256} uses it (RFC 8731): 32-byte public keys, the shared secret
 * encoded as an mpint. {@link #raw} gives the bare 32-byte secret the hybrid methods combine.
 */
final class X25519Agreement implements Agreement {
    static final int KEY_LENGTH = X25519.POINT_SIZE;

    private final SecureRandom random;
    private final Consumer<byte[]> keyLog;
    private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
    private final byte[] publicKey = new byte[X25519.POINT_SIZE];

    /** {@code keyLog} sees the ephemeral private key once it exists (the Wireshark key log), or is null. */
    X25519Agreement(SecureRandom random, Consumer<byte[]> keyLog) {
        this.random = random;
        this.keyLog = keyLog;
    }

    /** Creates the ephemeral key pair and returns the public key. */
    byte[] generate() {
        X25519.generatePrivateKey(random, privateKey);
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        if (keyLog != null) {
            keyLog.accept(privateKey);
        }
        return publicKey.clone();
    }

    /** The raw 32-byte shared secret with {@code peer}; zeroes the private key. */
    byte[] raw(byte[] peer, int offset, int length) {
        if (length != KEY_LENGTH) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "curve25519: peer key has %d bytes, not 32", length);
        }
        byte[] shared = new byte[KEY_LENGTH];
        try {
            // RFC 8731 section 3: an all-zero result (a low-order peer point) must abort the exchange.
            if (!X25519.calculateAgreement(privateKey, 0, peer, offset, shared, 0)) {
                Arrays.fill(shared, (byte) 0);
                throw SshException.disconnect(KEY_EXCHANGE_FAILED, "curve25519: shared secret is zero");
            }
            return shared;
        } finally {
            Arrays.fill(privateKey, (byte) 0);
        }
    }

    @Override
    public byte[] clientValue() {
        return generate();
    }

    @Override
    public byte[] clientSecret(byte[] serverValue) {
        return mpint(raw(serverValue, 0, serverValue.length));
    }

    @Override
    public Response serverRespond(byte[] clientValue) {
        byte[] serverValue = generate();
        return new Response(serverValue, mpint(raw(clientValue, 0, clientValue.length)));
    }

    /** RFC 8731 section 3.1: the X25519 output is read as an unsigned big-endian number and sent as an mpint. */
    static byte[] mpint(byte[] shared) {
        SshWriter w = SshWriter.heap();
        try {
            return w.writeMpintUnsigned(shared).toByteArray();
        } finally {
            w.buffer().setZero(0, w.buffer().capacity());
            Arrays.fill(shared, (byte) 0);
        }
    }
}
