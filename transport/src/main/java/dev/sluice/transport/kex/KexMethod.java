package dev.sluice.transport.kex;

/**
 * A key exchange method of RFC 4253 section 7 ({@code curve25519-sha256}, {@code ecdh-sha2-nistp256}, …): a factory
 * of the two halves that compute the shared secret K and the exchange hash H. Obtain one from {@link KexMethods}.
 *
 * <p>Implementations are immutable and thread-safe; each {@link KexParty} they create serves one exchange on one event
 * loop.
 */
public interface KexMethod {

    /** The name on the wire, e.g. {@code "ecdh-sha2-nistp256"}. */
    String name();

    /** The JCA name of the method's HASH ({@code "SHA-256"}), used for H and for the key derivation of RFC 4253 7.2. */
    String hash();

    /** The client's half of one exchange. */
    KexParty client(KexContext context);

    /** The server's half of one exchange. */
    KexParty server(KexContext context);
}
