package dev.sluice.connection.session;

import dev.sluice.connection.SshChannel;
import java.util.Optional;

/**
 * The server's half of agent forwarding (RFC 9987 section 7, with OpenSSH's names; ssh's {@code -A}): a session
 * asks with {@link #REQUEST}, the server listens on a Unix-domain socket that the session's command finds in
 * {@code SSH_AUTH_SOCK}, and each connection to that socket becomes a {@link #CHANNEL_TYPE} channel the server opens
 * to the client, which connects it to the user's agent. Set in {@link SessionConfig#withAgentForwarder}; the
 * forwarding module's {@code AgentForwarding.server} is the implementation.
 */
@FunctionalInterface
public interface AgentForwarder {
    /** The session channel request that asks for agent forwarding. */
    String REQUEST = "auth-agent-req@openssh.com";
    /** The channel type the server opens to the client for each connection to the forwarded agent's socket. */
    String CHANNEL_TYPE = "auth-agent@openssh.com";

    /**
     * Starts agent forwarding for the connection of {@code session}, if the server's policy allows it for that
     * connection: returns the path of the listening socket, for {@code SSH_AUTH_SOCK}; a second session of the same
     * connection gets the same socket. Empty when refused or when no socket could be made (logged). Called on the
     * connection's event loop; the socket must accept connections once this returns.
     */
    Optional<String> listen(SshChannel session);
}
