package dev.sluice.connection.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Process} as a {@link SessionProcess}: its pipes are the session's streams, its exit the session's exit
 * (a death by signal N, which the JDK reports as 128 + N, becomes exit-signal for the signals the protocol names), and
 * a client's signal is sent with kill(1) for all but TERM and KILL, which the JDK sends itself.
 */
public final class ProcessSession implements SessionProcess {
    private static final Logger log = LoggerFactory.getLogger(ProcessSession.class);

    private final Process process;

    /** The process with its own pipes as the session's streams. */
    public ProcessSession(Process process) {
        this.process = process;
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException {
        return Signals.fromJavaExitValue(process.waitFor());
    }

    @Override
    public void signal(String name) {
        if (!process.isAlive()) {
            return;
        }
        // The JDK can send only TERM and KILL itself; kill(1) sends the others.
        if (name.equals("TERM")) {
            process.destroy();
        } else if (name.equals("KILL")) {
            process.destroyForcibly();
        } else {
            try {
                new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
                        .redirectErrorStream(true).start().waitFor();
            } catch (IOException e) {
                log.warn("cannot send SIG{} to pid {}: {}", name, process.pid(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void destroy() {
        // Children that inherited the pipes would keep the session's streams open: end them too.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
