package dev.sluice.transport.kex;

/**
 * The key agreement inside a one-round exchange of the RFC 5656 section 4 shape: the client sends a value, the server
 * answers with one, both derive K. Values are the contents of the strings on the wire (for Diffie-Hellman, the
 * mpint's bytes, which are the same octets). One instance serves one exchange on one side.
 */
interface Agreement {

    /** Client: creates the ephemeral key and returns Q_C (or e). */
    byte[] clientValue();

    /** Client: K, encoded as it enters H, from the server's Q_S (or f). Forgets the ephemeral private key. */
    byte[] clientSecret(byte[] serverValue);

    /** Server: Q_S (or f) and K for the client's value. Forgets the ephemeral private key. */
    Response serverRespond(byte[] clientValue);

    /** The server's reply value and the encoded shared secret (which the receiver zeroes). */
    record Response(byte[] serverValue, byte[] sharedSecret) {
    }
}
