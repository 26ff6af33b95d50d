package dev.sluice.forwarding;

import java.util.Locale;
import java.util.Optional;

/**
 * What a server lets its clients forward, named and valued as in sshd_config. Each check returns the rule that
 * refuses (for the log line), or empty when permitted; the per-key {@link ForwardingRestrictions} of the
 * {@link ForwardingUser} narrow the server-wide settings, as sshd's user and admin permission sets do.
 *
 * @param allowTcpForwarding AllowTcpForwarding: which directions are allowed at all
 * @param disableForwarding DisableForwarding: overrides everything else
 * @param permitOpen PermitOpen: the destinations of {@code direct-tcpip} (ssh -L, -D)
 * @param permitListen PermitListen: the addresses and ports of {@code tcpip-forward} (ssh -R)
 * @param gatewayPorts GatewayPorts: where remote forwardings are bound
 */
public record ForwardingPolicy(AllowTcpForwarding allowTcpForwarding, boolean disableForwarding,
        PermitList permitOpen, PermitList permitListen, GatewayPorts gatewayPorts) {
    /** sshd's defaults: AllowTcpForwarding yes, PermitOpen any, PermitListen any, GatewayPorts no. */
    public static final ForwardingPolicy DEFAULT = new ForwardingPolicy(AllowTcpForwarding.YES);

    /** Ports below this are privileged (IPPORT_RESERVED): only the superuser may listen there. */
    static final int IPPORT_RESERVED = 1024;

    /** sshd's defaults except for AllowTcpForwarding. */
    public ForwardingPolicy(AllowTcpForwarding allowTcpForwarding) {
        this(allowTcpForwarding, false, PermitList.ANY, PermitList.ANY, GatewayPorts.NO);
    }

    public ForwardingPolicy withDisableForwarding(boolean value) {
        return new ForwardingPolicy(allowTcpForwarding, value, permitOpen, permitListen, gatewayPorts);
    }

    public ForwardingPolicy withPermitOpen(PermitList value) {
        return new ForwardingPolicy(allowTcpForwarding, disableForwarding, value, permitListen, gatewayPorts);
    }

    public ForwardingPolicy withPermitListen(PermitList value) {
        return new ForwardingPolicy(allowTcpForwarding, disableForwarding, permitOpen, value, gatewayPorts);
    }

    public ForwardingPolicy withGatewayPorts(GatewayPorts value) {
        return new ForwardingPolicy(allowTcpForwarding, disableForwarding, permitOpen, permitListen, value);
    }

    /**
     * Whether {@code user} may open {@code direct-tcpip} channels at all (sshd's check before it looks at the
     * destination): DisableForwarding, AllowTcpForwarding, the key's no-port-forwarding.
     */
    public Optional<String> localForwardingRefusal(ForwardingUser user) {
        if (disableForwarding) {
            return Optional.of("DisableForwarding yes");
        }
        if (!allowTcpForwarding.allowsLocal()) {
            return Optional.of("AllowTcpForwarding " + allowTcpForwarding.name().toLowerCase(Locale.ROOT));
        }
        if (!user.restrictions().portForwarding()) {
            return Optional.of("no-port-forwarding");
        }
        return Optional.empty();
    }

    /** Whether {@code user} may connect to {@code host:port}: the key's permitopen, then PermitOpen. */
    public Optional<String> permitOpenRefusal(ForwardingUser user, String host, int port) {
        if (!user.restrictions().permitOpen().permitsOpen(host, port)) {
            return Optional.of("permitopen=\"" + user.restrictions().permitOpen() + "\"");
        }
        if (!permitOpen.permitsOpen(host, port)) {
            return Optional.of("PermitOpen " + permitOpen);
        }
        return Optional.empty();
    }

    /**
     * Whether {@code user} may have the server listen for remote forwardings at all, on {@code port} (sshd's check
     * in {@code server_input_global_request}): DisableForwarding, AllowTcpForwarding, the key's
     * no-port-forwarding, port 0 without want-reply (the client could never learn the port), and the
     * privileged-port rule: a port below 1024 only for the superuser.
     */
    public Optional<String> remoteForwardingRefusal(ForwardingUser user, int port, boolean wantReply) {
        if (disableForwarding) {
            return Optional.of("DisableForwarding yes");
        }
        if (!allowTcpForwarding.allowsRemote()) {
            return Optional.of("AllowTcpForwarding " + allowTcpForwarding.name().toLowerCase(Locale.ROOT));
        }
        if (!user.restrictions().portForwarding()) {
            return Optional.of("no-port-forwarding");
        }
        if (port == 0 && !wantReply) {
            return Optional.of("port 0 without want-reply");
        }
        if (port != 0 && port < IPPORT_RESERVED && !user.superuser()) {
            return Optional.of("privileged port " + port + " and user " + user.name() + " is not root");
        }
        return Optional.empty();
    }

    /** Whether {@code user} may listen on {@code host:port} as requested: the key's permitlisten, then PermitListen. */
    public Optional<String> permitListenRefusal(ForwardingUser user, String host, int port) {
        if (!user.restrictions().permitListen().permitsListen(host, port)) {
            return Optional.of("permitlisten=\"" + user.restrictions().permitListen() + "\"");
        }
        if (!permitListen.permitsListen(host, port)) {
            return Optional.of("PermitListen " + permitListen);
        }
        return Optional.empty();
    }
}
