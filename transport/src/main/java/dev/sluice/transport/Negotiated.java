package dev.sluice.transport;

/**
 * The algorithms one key exchange settled on (RFC 4253 section 7.1), as names on the wire. {@code mac*} are empty
 * strings for AEAD ciphers, which need no separate MAC.
 */
public record Negotiated(
        String kex,
        String hostKey,
        String cipherClientToServer,
        String cipherServerToClient,
        String macClientToServer,
        String macServerToClient,
        String compressionClientToServer,
        String compressionServerToClient,
        boolean strictKex,
        boolean peerWantsExtInfo) {
}
