package dev.sluice.transport.kex;

import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshWriter;
import java.security.SecureRandom;

/** What a {@link KexParty} needs from its connection: randomness, the transcript, a way to send, the host key. */
public interface KexContext {

    /** The connection's source of ephemeral keys. */
    SecureRandom random();

    /** Writes the head every exchange hash starts with: {@code string V_C, string V_S, string I_C, string I_S}. */
    void writeTranscriptHead(SshWriter w);

    /** Queues a message for the peer (flushed by the caller). */
    void send(SshMessage message);

    /** Server: the blob K_S of the host key chosen for the negotiated host key algorithm. */
    byte[] hostKeyBlob();

    /** Server: the signature blob over H with the negotiated host key algorithm. */
    byte[] sign(byte[] exchangeHash);

    /**
     * Client of a group exchange: the group size n to ask for (RFC 4419 section 3), from the strength the negotiated
     * ciphers need, as OpenSSH's dh_estimate works it out.
     */
    int preferredGroupBits();

    /**
     * Records this side's ephemeral X25519 private key in the Wireshark key log, when one is configured (Wireshark
     * recomputes the shared secret from it). The caller keeps ownership of {@code privateKey} and zeroes it.
     */
    void logEphemeralKey(byte[] privateKey);
}
