package dev.sluice.transport;

/**
 * User event fired up the pipeline when a key exchange has finished in both directions. The first one starts user
 * authentication.
 *
 * @param negotiated the algorithms now in use
 * @param initial true for the connection's first key exchange
 */
public record KeyExchangeCompleted(Negotiated negotiated, boolean initial) {
}
