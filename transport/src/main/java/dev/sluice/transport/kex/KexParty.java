package dev.sluice.transport.kex;

import dev.sluice.transport.wire.SshReader;

/**
 * One side of one key exchange: sends and receives the method's own messages (numbers 30 to 49) until K and H are
 * known. Confined to the connection's event loop; used once.
 */
public interface KexParty {

    /** Called once negotiation has chosen this method; a client sends its first message here. */
    void start();

    /**
     * Handles a method message, positioned after its number.
     *
     * @return the outcome once the exchange is computed, otherwise null (more messages are due)
     * @throws dev.sluice.transport.SshException for a message out of order or malformed, or a value a peer must not
     *     send (KEY_EXCHANGE_FAILED or PROTOCOL_ERROR)
     */
    KexOutcome receive(int id, SshReader r);
}
