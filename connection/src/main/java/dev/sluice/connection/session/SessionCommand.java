package dev.sluice.connection.session;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * What a client asked a session to run, handed to a {@link CommandHandler}.
 *
 * @param kind exec, shell or subsystem
 * @param command the command line of an exec, the configured command of a subsystem (or the ForceCommand), {@code
 *        null} for a shell
 * @param subsystem the subsystem name for a subsystem request, else {@code null}
 * @param originalCommand with a ForceCommand, the command the client asked for ({@code SSH_ORIGINAL_COMMAND}), else
 *        {@code null}
 * @param user the name the client logged in as
 * @param environment the variables to set beyond the basic ones, in order: the client's {@code env} requests that
 *        AcceptEnv let through, the authorized_keys {@code environment=} settings PermitUserEnvironment allows, and
 *        {@code SSH_AUTH_SOCK} when agent forwarding was granted
 * @param client the client's address
 * @param server the server's address the client connected to
 * @param pty the pseudo-terminal the client asked for (pty-req, accepted only when the handler
 *        {@linkplain CommandHandler#supportsPty() supports one}), or {@code null}
 */
public record SessionCommand(Kind kind, String command, String subsystem, String originalCommand, String user,
        Map<String, String> environment, InetSocketAddress client, InetSocketAddress server, PtyRequest pty) {
    /** The three ways to start a session (RFC 4254 sections 6.5). */
    public enum Kind { EXEC, SHELL, SUBSYSTEM }

    public SessionCommand {
        Objects.requireNonNull(kind);
        environment = Map.copyOf(environment);
    }
}
