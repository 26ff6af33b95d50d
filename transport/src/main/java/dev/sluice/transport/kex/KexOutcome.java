package dev.sluice.transport.kex;

/**
 * The result of one key exchange: the shared secret K, already encoded as it enters the hash (an mpint for DH and
 * ECDH, a string for the hybrid post-quantum methods), the exchange hash H, and the server's host key blob and
 * signature (which a client must check). The arrays are the caller's; it zeroes {@code sharedSecret} after use.
 */
public record KexOutcome(byte[] sharedSecret, byte[] exchangeHash, byte[] hostKeyBlob, byte[] signature) {
}
