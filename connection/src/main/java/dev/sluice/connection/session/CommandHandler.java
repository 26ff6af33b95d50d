package dev.sluice.connection.session;

import java.io.IOException;

/**
 * Starts what a session runs: the embedding point of a Sluice server. The default, {@link ProcessCommandHandler},
 * runs commands with {@code /bin/sh -c} as sshd does; an application can serve its own commands instead.
 *
 * <p>Called on the connection's event loop, so it must return promptly (starting a process is fine; waiting for it is
 * not). Throwing refuses the request (CHANNEL_FAILURE), as sshd refuses a command it cannot start.
 */
@FunctionalInterface
public interface CommandHandler {
    SessionProcess start(SessionCommand command) throws IOException;

    /**
     * Whether this handler runs commands on a pseudo-terminal when {@link SessionCommand#pty()} asks for one. If not,
     * pty-req is refused, as sshd refuses it when it cannot allocate one.
     */
    default boolean supportsPty() {
        return false;
    }
}
