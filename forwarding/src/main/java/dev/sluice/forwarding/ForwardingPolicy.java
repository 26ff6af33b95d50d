package dev.sluice.forwarding;

import dev.sluice.connection.message.DirectTcpip;

/**
 * What a server lets its clients forward, as sshd_config says it: for now {@code AllowTcpForwarding}; PermitOpen and
 * PermitListen lists will join as components.
 *
 * @param allowTcpForwarding the AllowTcpForwarding setting
 */
public record ForwardingPolicy(AllowTcpForwarding allowTcpForwarding) {
    /** sshd's default: {@code AllowTcpForwarding yes}. */
    public static final ForwardingPolicy DEFAULT = new ForwardingPolicy(AllowTcpForwarding.YES);

    /** Whether a client may open this {@code direct-tcpip} channel (refused ones get "administratively prohibited"). */
    public boolean permitsDirectTcpip(DirectTcpip target) {
        return allowTcpForwarding.allowsLocal();
    }
}
