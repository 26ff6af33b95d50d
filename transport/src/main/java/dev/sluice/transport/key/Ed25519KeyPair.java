package dev.sluice.transport.key;

import dev.sluice.transport.wire.SshWriter;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key (RFC 8032 seed) with its public key; signatures are RFC 8709 section 6 blobs.
 *
 * <p>The 32-byte seed is the secret; Bouncy Castle expands it per signature, so nothing else secret is kept.
 */
final class Ed25519KeyPair implements SshKeyPair {
    static final int SEED_LENGTH = Ed25519.SECRET_KEY_SIZE;

    private final byte[] seed;
    private final Ed25519PublicKey publicKey;
    private final byte[] rawPublic;
    private final String comment;
    private volatile boolean destroyed;

    private Ed25519KeyPair(byte[] seed, String comment) {
        this.seed = seed;
        this.rawPublic = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(seed, 0, rawPublic, 0);
        this.publicKey = new Ed25519PublicKey(rawPublic);
        this.comment = comment == null ? "" : comment;
    }

    static Ed25519KeyPair generate(SecureRandom random, String comment) {
        byte[] seed = new byte[SEED_LENGTH];
        Ed25519.generatePrivateKey(random, seed);
        return new Ed25519KeyPair(seed, comment);
    }

    /** A key pair from a seed, which is copied (the caller zeroes its own array). */
    static Ed25519KeyPair fromSeed(byte[] seed, String comment) {
        if (seed.length != SEED_LENGTH) {
            throw new KeyFormatException("ed25519 seed is " + seed.length + " bytes, expected " + SEED_LENGTH);
        }
        return new Ed25519KeyPair(seed.clone(), comment);
    }

    /**
     * Writes the key-type-specific private part as OpenSSH serialises it in key files and to the agent
     * (PROTOCOL.key section 3, PROTOCOL.agent): {@code string "ssh-ed25519", string pk[32], string seed||pk[64]}.
     */
    void writePrivate(SshWriter w) {
        checkLive();
        byte[] secret = new byte[SEED_LENGTH + rawPublic.length];
        try {
            System.arraycopy(seed, 0, secret, 0, SEED_LENGTH);
            System.arraycopy(rawPublic, 0, secret, SEED_LENGTH, rawPublic.length);
            w.writeAscii(Ed25519PublicKey.TYPE).writeBytes(rawPublic).writeBytes(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    @Override
    public SshPublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String comment() {
        return comment;
    }

    @Override
    public byte[] sign(String signatureAlgorithm, byte[] data) {
        if (!Ed25519PublicKey.TYPE.equals(Objects.requireNonNull(signatureAlgorithm))) {
            throw new IllegalArgumentException("an ssh-ed25519 key cannot sign with " + signatureAlgorithm);
        }
        checkLive();
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, rawPublic, 0, data, 0, data.length, sig, 0);
        return SshWriter.heap().writeAscii(Ed25519PublicKey.TYPE).writeBytes(sig).toByteArray();
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(seed, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("key has been destroyed");
        }
    }

    @Override
    public String toString() {
        return "Ed25519KeyPair[" + publicKey.fingerprint() + " " + comment + "]";
    }
}
