package dev.sluice.cli;

import dev.sluice.connection.session.CommandHandler;
import dev.sluice.connection.session.ExitStatus;
import dev.sluice.connection.session.ProcessCommandHandler;
import dev.sluice.connection.session.ProcessSession;
import dev.sluice.connection.session.PtyRequest;
import dev.sluice.connection.session.SessionCommand;
import dev.sluice.connection.session.SessionProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jline.terminal.Size;
import org.jline.terminal.impl.jni.JniNativePty;
import org.jline.terminal.impl.jni.JniTerminalProvider;
import org.jline.terminal.spi.Pty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sluice server}'s command handler: {@link ProcessCommandHandler}'s processes, and for a session with a pty-req
 * a real pseudo-terminal. JLine's native library opens the pair (openpty); the command runs under util-linux's
 * {@code setsid -c} with the terminal as its stdin, stdout and stderr, so it is a session leader whose controlling
 * terminal is that pty (as sshd's child is). window-change resizes it. Without the native library (or {@code setsid})
 * pty-req is refused, as before.
 */
final class PtyCommandHandler implements CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(PtyCommandHandler.class);
    private static final String SETSID = "/usr/bin/setsid";

    private final ProcessCommandHandler processes = new ProcessCommandHandler();
    private final JniTerminalProvider provider;

    PtyCommandHandler() {
        this.provider = loadProvider();
    }

    private static JniTerminalProvider loadProvider() {
        if (!new File(SETSID).canExecute()) {
            log.info("no {}: sessions get no pseudo-terminal", SETSID);
            return null;
        }
        try {
            JniTerminalProvider p = new JniTerminalProvider();
            p.open(null, new Size(80, 24)).close();
            return p;
        } catch (IOException | LinkageError | RuntimeException e) {
            log.info("no pseudo-terminals: JLine's native library did not load ({})", e.toString());
            return null;
        }
    }

    @Override
    public boolean supportsPty() {
        return provider != null;
    }

    @Override
    public SessionProcess start(SessionCommand command) throws IOException {
        PtyRequest request = command.pty();
        if (request == null || provider == null) {
            return processes.start(command);
        }
        // No attributes: the kernel's defaults for a new terminal (ICRNL, OPOST|ONLCR, ICANON|ECHO|ISIG, ^C, ^D, …).
        Pty pty = provider.open(null, new Size(request.columns(), request.rows()));
        try {
            String name = ((JniNativePty) pty).getName();
            ProcessBuilder builder = processes.newProcessBuilder(command);
            List<String> argv = new ArrayList<>(List.of(SETSID, "-c"));
            argv.addAll(builder.command());
            builder.command(argv);
            builder.environment().put("SSH_TTY", name);
            File tty = new File(name);
            builder.redirectInput(tty).redirectOutput(tty).redirectError(tty);
            Process process = builder.start();
            log.debug("started {} on {} (pid {})", argv, name, process.pid());
            try {
                return new PtyProcess(process, pty, name);
            } catch (IOException | RuntimeException e) {
                process.destroy();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            pty.close();
            throw e;
        }
    }

    /**
     * A process on a pseudo-terminal: input and output are the pty's master side (stderr is merged into it, as on any
     * terminal); exit and signals are the {@link ProcessSession}'s. Our copy of the slave side is closed once the
     * process has it, so that reading the master ends when the process and its children are gone.
     */
    private static final class PtyProcess implements SessionProcess {
        private final Process process;
        private final ProcessSession exit;
        private final Pty pty;
        private final InputStream output;
        private final OutputStream input;
        private final String name;

        PtyProcess(Process process, Pty pty, String name) throws IOException {
            this.process = process;
            this.name = name;
            this.exit = new ProcessSession(process);
            this.pty = pty;
            this.output = pty.getMasterInput();
            this.input = pty.getMasterOutput();
            pty.getSlaveInput().close();
            pty.getSlaveOutput().close();
        }

        @Override
        public OutputStream stdin() {
            return input;
        }

        @Override
        public InputStream stdout() {
            return output;
        }

        @Override
        public InputStream stderr() {
            return InputStream.nullInputStream();
        }

        @Override
        public ExitStatus waitFor() throws InterruptedException {
            return exit.waitFor();
        }

        @Override
        public void signal(String name) {
            exit.signal(name);
        }

        @Override
        public void destroy() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }

        /** Through the device's name: our own slave descriptor, which the resize ioctl would need, is closed. */
        @Override
        public void resize(int columns, int rows, int widthPixels, int heightPixels) {
            try {
                Process stty = new ProcessBuilder("stty", "-F", name, "rows", Integer.toString(rows), "cols",
                        Integer.toString(columns)).redirectErrorStream(true).start();
                stty.getInputStream().transferTo(OutputStream.nullOutputStream());
                stty.waitFor();
            } catch (IOException e) {
                log.debug("resizing {} failed: {}", name, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void release() {
            try {
                pty.close();
            } catch (IOException e) {
                log.debug("closing the pty failed: {}", e.toString());
            }
        }
    }
}
