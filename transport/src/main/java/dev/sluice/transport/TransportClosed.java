package dev.sluice.transport;

/**
 * Why a connection ended: the transport's own protocol error or the peer's DISCONNECT, kept in the
 * {@link TransportSession} so that the layers above (and a waiting client) can report it as OpenSSH prints it.
 *
 * @param reason the disconnect reason
 * @param message the human-readable text
 * @param local true when this side decided to disconnect, false when the peer sent DISCONNECT
 */
public record TransportClosed(DisconnectReason reason, String message, boolean local) {
}
