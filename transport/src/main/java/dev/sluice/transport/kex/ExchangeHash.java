package dev.sluice.transport.kex;

import dev.sluice.transport.wire.SshWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Digests a transcript written into a heap {@link SshWriter}, then zeroes the buffer (it holds K). */
final class ExchangeHash {
    private ExchangeHash() {
    }

    static byte[] digest(String algorithm, SshWriter transcript) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(transcript.buffer().nioBuffer());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm, e);
        } finally {
            transcript.buffer().setZero(0, transcript.buffer().capacity());
            transcript.buffer().release();
        }
    }

    /** A fresh digest for a JCA name every JDK has (SHA-1, SHA-256, SHA-384, SHA-512). */
    static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm, e);
        }
    }
}
