package dev.sluice.transport;

import dev.sluice.transport.key.SshPublicKey;

/**
 * Decides whether the server's host key is the one this client expects (known_hosts, StrictHostKeyChecking, a pinned
 * key). Called on the connection's event loop once the key exchange signature has verified, so it must not block.
 * When a host certificate algorithm was negotiated, {@code key} is an {@link dev.sluice.transport.key.OpenSshCertificate}
 * whose CA signature is valid; trusting its CA (and its validity and principals) or its
 * {@link dev.sluice.transport.key.OpenSshCertificate#certifiedKey() plain key} is the verifier's decision.
 */
@FunctionalInterface
public interface HostKeyVerifier {
    /** Accepts every key: for tests and {@code StrictHostKeyChecking=no} without a known_hosts file. */
    HostKeyVerifier ACCEPT_ALL = (host, port, key) -> null;

    /**
     * Checks {@code key} for {@code host:port}.
     *
     * @return null to accept, or the message to fail the connection with (HOST_KEY_NOT_VERIFIABLE)
     */
    String verify(String host, int port, SshPublicKey key);
}
