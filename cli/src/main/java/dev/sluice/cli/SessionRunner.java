package dev.sluice.cli;

import dev.sluice.connection.SshConnection;
import dev.sluice.connection.session.ClientSession;
import dev.sluice.connection.session.ExitStatus;
import dev.sluice.connection.session.PtyRequest;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.forwarding.AgentForwarding;
import dev.sluice.connection.SshChannel;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import io.netty.util.concurrent.Future;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session part of {@code sluice ssh}: a remote command, a subsystem or a shell, with this process's stdin, stdout
 * and stderr, as OpenSSH's ssh runs it. A pseudo-terminal is requested as ssh decides ({@code -t}, {@code -T},
 * RequestTTY, and by default only for a shell on a terminal), and then the local terminal is put in raw mode (JLine)
 * and its size changes are passed on.
 */
final class SessionRunner {
    private static final Logger log = LoggerFactory.getLogger(SessionRunner.class);

    /**
     * What to run and how.
     *
     * @param command the remote command (words joined by spaces as ssh joins them), empty for a shell
     * @param subsystem {@code -s}: {@code command} names a subsystem
     * @param requestTty RequestTTY: {@code auto}, {@code yes} ({@code -t}), {@code force} ({@code -tt}),
     *        {@code no} ({@code -T})
     * @param nullStdin {@code -n}: stdin from /dev/null
     * @param sendEnv SendEnv patterns of local variables to send
     * @param setEnv SetEnv variables to send
     * @param quiet {@code -q}: no informational messages
     * @param forwardAgent {@code -A}: the agent socket to forward to the session, or null
     * @param escapeChar EscapeChar ({@code -e}), a byte value, or -1 for none; active only with a pty, as in ssh
     * @param logOnStderr whether the log goes to standard error (not to an {@code -E} file), which {@code ~v} reports
     */
    record Spec(String command, boolean subsystem, String requestTty, boolean nullStdin, List<String> sendEnv,
            Map<String, String> setEnv, boolean quiet, Path forwardAgent, int escapeChar, boolean logOnStderr) {
    }

    private final PrintStream err;
    private final PrintStream stderr;

    /**
     * @param err where log lines and errors go (standard error, or the -E file)
     * @param stderr standard error itself, for "Connection to HOST closed.", which ssh writes there even with -E
     */
    SessionRunner(PrintStream err, PrintStream stderr) {
        this.err = err;
        this.stderr = stderr;
    }

    /** Runs the session to its end and returns ssh's exit status for it. */
    int run(SshConnection connection, Spec spec, String host) {
        long begun = System.nanoTime();
        boolean stdinTty = isTerminal(0);
        boolean tty = switch (spec.requestTty()) {
            case "force", "yes" -> true;
            case "no" -> false;
            default -> spec.command().isEmpty() && !spec.subsystem();
        };
        if (tty && !stdinTty && !spec.requestTty().equals("force")) {
            if (!spec.quiet()) {
                err.println("Pseudo-terminal will not be allocated because stdin is not a terminal.");
            }
            tty = false;
        }
        InputStream stdin = spec.nullStdin() ? null : new FileInputStream(FileDescriptor.in);
        AtomicReference<ClientSession> opened = new AtomicReference<>();
        if (stdin != null && tty && spec.escapeChar() >= 0) {
            stdin = new EscapeFilter(stdin, spec.escapeChar(), stderr, spec.logOnStderr(),
                    escapeActions(connection, opened));
        }
        Future<ClientSession> opening = ClientSession.open(connection, stdin, new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err)).awaitUninterruptibly();
        if (!opening.isSuccess()) {
            err.println("channel 0: open failed: " + opening.cause().getMessage());
            return 255;
        }
        ClientSession session = opening.getNow();
        opened.set(session);
        log.debug("Entering interactive session.");
        if (spec.forwardAgent() != null) {
            // ssh asks before the pty, the environment and the command.
            log.debug("Requesting authentication agent forwarding.");
            AgentForwarding.request(session, spec.forwardAgent()).awaitUninterruptibly();
        }
        Terminal terminal = null;
        Attributes saved = null;
        try {
            if (tty) {
                terminal = openTerminal(stdinTty);
                Size size = terminal == null ? new Size(80, 24) : terminal.getSize();
                String term = System.getenv().getOrDefault("TERM", "vt100");
                boolean granted = Boolean.TRUE.equals(session.requestPty(new PtyRequest(term, size.getColumns(),
                        size.getRows(), 0, 0, PtyRequest.NO_MODES)).awaitUninterruptibly().getNow());
                if (!granted) {
                    err.println("PTY allocation request failed on channel " + session.channel().localId());
                    if (!spec.requestTty().equals("auto")) {
                        // ssh treats a pty that was asked for explicitly as required.
                        session.close();
                        return 255;
                    }
                }
                if (terminal != null) {
                    saved = terminal.getAttributes();
                    terminal.setAttributes(raw(saved));
                    Terminal t = terminal;
                    terminal.handle(Terminal.Signal.WINCH, s -> {
                        Size now = t.getSize();
                        session.windowChange(now.getColumns(), now.getRows(), 0, 0);
                    });
                }
            }
            sendEnvironment(session, spec);
            String what = spec.subsystem() ? "subsystem" : spec.command().isEmpty() ? "shell" : "exec";
            Future<Boolean> started = (spec.subsystem() ? session.subsystem(spec.command())
                    : spec.command().isEmpty() ? session.shell() : session.exec(spec.command()))
                    .awaitUninterruptibly();
            if (!started.isSuccess() || !Boolean.TRUE.equals(started.getNow())) {
                err.println(what + " request failed on channel " + session.channel().localId());
                session.close();
                return 255;
            }
            Future<ExitStatus> exit = session.exitStatus().awaitUninterruptibly();
            if (saved != null) {
                terminal.setAttributes(saved);
                saved = null;
            }
            if (tty && SshLog.enabled(SshLog.Level.INFO)) {
                stderr.print("Connection to " + host + " closed.\r\n");
                stderr.flush();
            }
            logTransferred(connection, begun);
            if (!exit.isSuccess()) {
                log.debug("Exit status -1");
                return 255;
            }
            ExitStatus status = exit.getNow();
            log.debug("Exit status {}", status.isSignal() ? -1 : status.code());
            return status.isSignal() ? 255 : status.code();
        } finally {
            if (saved != null) {
                terminal.setAttributes(saved);
            }
            if (terminal != null) {
                try {
                    terminal.close();
                } catch (IOException e) {
                    log.debug("closing the terminal: {}", e.toString());
                }
            }
        }
    }

    /** What the escape commands do to this connection and its session. */
    private static EscapeFilter.Actions escapeActions(SshConnection connection, AtomicReference<ClientSession> session) {
        return new EscapeFilter.Actions() {
            @Override
            public void disconnect() {
                TransportPipeline.disconnect(connection.parent(), DisconnectReason.BY_APPLICATION,
                        "disconnected by user");
            }

            @Override
            public void sendBreak() {
                // RFC 4335: break-length in milliseconds, as ssh sends it.
                byte[] length = {0, 0, 0x03, (byte) 0xe8};
                session.get().channel().sendRequest("break", false, length);
            }

            @Override
            public void rekey() {
                TransportSession.of(connection.parent()).requestRekey();
            }

            @Override
            public String openChannels() {
                StringBuilder b = new StringBuilder("The following connections are open:\r\n");
                for (SshChannel c : connection.openChannels().syncUninterruptibly().getNow()) {
                    b.append("  #").append(c.localId()).append(' ')
                            .append(c.type().equals("session") ? "client-session" : c.type())
                            .append(" (").append(c.type()).append(" r").append(c.remoteId()).append(")\r\n");
                }
                return b.toString();
            }
        };
    }

    /** ssh's closing VERBOSE lines: the packet bytes each way and their rate over the session. */
    static void logTransferred(SshConnection connection, long startedNanos) {
        if (!SshLog.enabled(SshLog.Level.VERBOSE)) {
            return;
        }
        TransportSession transport = TransportSession.of(connection.parent());
        double seconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
        long sent = transport.bytesSent();
        long received = transport.bytesReceived();
        SshLog.verbose(String.format(Locale.ROOT, "Transferred: sent %d, received %d bytes, in %.1f seconds", sent,
                received, seconds));
        SshLog.verbose(String.format(Locale.ROOT, "Bytes per second: sent %.1f, received %.1f", sent / seconds,
                received / seconds));
    }

    /**
     * ssh's raw mode (sshtty.c): no signals, line editing, echo or input translation here, and no output processing,
     * so ^C, ^Z and the remote side's CR LF pass through unchanged.
     */
    static Attributes raw(Attributes saved) {
        Attributes raw = new Attributes(saved);
        raw.setInputFlags(EnumSet.of(Attributes.InputFlag.IGNBRK, Attributes.InputFlag.BRKINT,
                Attributes.InputFlag.PARMRK, Attributes.InputFlag.ISTRIP, Attributes.InputFlag.INLCR,
                Attributes.InputFlag.IGNCR, Attributes.InputFlag.ICRNL, Attributes.InputFlag.IXON,
                Attributes.InputFlag.IXANY, Attributes.InputFlag.IXOFF), false);
        raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ISIG, Attributes.LocalFlag.ICANON,
                Attributes.LocalFlag.ECHO, Attributes.LocalFlag.ECHOE, Attributes.LocalFlag.ECHOK,
                Attributes.LocalFlag.ECHONL, Attributes.LocalFlag.IEXTEN), false);
        raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
        raw.setControlChar(Attributes.ControlChar.VMIN, 1);
        raw.setControlChar(Attributes.ControlChar.VTIME, 0);
        return raw;
    }

    private void sendEnvironment(ClientSession session, Spec spec) {
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            for (String pattern : spec.sendEnv()) {
                if (SessionConfig.matchesPattern(pattern, e.getKey())) {
                    log.debug("Sending env {} = {}", e.getKey(), e.getValue());
                    session.setEnv(e.getKey(), e.getValue());
                    break;
                }
            }
        }
        for (Map.Entry<String, String> e : spec.setEnv().entrySet()) {
            log.debug("Setting env {} = {}", e.getKey(), e.getValue());
            session.setEnv(e.getKey(), e.getValue());
        }
    }

    /** The local terminal through JLine, or null when stdin is no terminal (-tt from a pipe). */
    private static Terminal openTerminal(boolean stdinTty) {
        if (!stdinTty) {
            return null;
        }
        try {
            return TerminalBuilder.builder().system(true).nativeSignals(true).build();
        } catch (IOException e) {
            log.debug("no local terminal: {}", e.toString());
            return null;
        }
    }

    /** Whether file descriptor {@code fd} of this process is a terminal (Linux: where /proc says it points). */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return fd == 0 && System.console() != null;
        }
    }
}
