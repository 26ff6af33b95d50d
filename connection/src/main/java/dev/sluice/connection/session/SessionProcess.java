package dev.sluice.connection.session;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A running session command as the server sees it: three blocking streams and an exit. A {@link CommandHandler}
 * returns one; the server copies the streams on its own threads, never on an event loop.
 */
public interface SessionProcess {
    /** What the client sends; closed when the client sends EOF. */
    OutputStream stdin();

    /** Sent to the client as channel data; the session's output ends when this and {@link #stderr} end. */
    InputStream stdout();

    /** Sent to the client as extended data (stderr). */
    InputStream stderr();

    /** Blocks until the command ends, and says how. */
    ExitStatus waitFor() throws InterruptedException;

    /** Delivers the client's {@code signal} request ({@code INT}, {@code TERM}, … without {@code SIG}). */
    void signal(String name);

    /** Ends the command: the channel closed before it did. */
    void destroy();

    /** The session has ended (its channel closed): free what the command held, e.g. a pseudo-terminal. */
    default void release() {
    }

    /** The client's terminal changed size (window-change); only a command on a pseudo-terminal cares. */
    default void resize(int columns, int rows, int widthPixels, int heightPixels) {
    }
}
