package dev.sluice.connection.session;

import dev.sluice.auth.AuthenticatedUser;
import dev.sluice.auth.KeyRestrictions;
import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one session channel: collects env requests, starts the command on exec, shell or subsystem,
 * and then moves stdin, stdout and stderr between the channel and the {@link SessionProcess} with flow control in
 * both directions.
 *
 * <h3>Ending, in sshd's order</h3>
 * When stdout and stderr have both ended and the command has exited: CHANNEL_EOF (after all queued output), then
 * {@code exit-status} or {@code exit-signal}, then CHANNEL_CLOSE. The client's EOF closes the command's stdin. If the
 * channel closes first, the command is destroyed.
 *
 * <p>Event loop only, except the stream copying ({@link StreamSource}, {@link StreamSink}) and the wait for the exit.
 */
final class ServerSession implements ChannelListener {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);

    private final SessionConfig config;
    private final Runnable onClosed;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private SessionProcess process;
    private PtyRequest pty;
    /** SSH_AUTH_SOCK for this session's command, once agent forwarding was granted. */
    private String agentSocket;
    private StreamSink stdin;
    private StreamSource stdout;
    private StreamSource stderr;
    private boolean stdoutEnded;
    private boolean stderrEnded;
    private ExitStatus exit;
    private boolean finished;
    private boolean closed;

    ServerSession(SessionConfig config, Runnable onClosed) {
        this.config = config;
        this.onClosed = onClosed;
    }

    @Override
    public boolean onRequest(SshChannel channel, ChannelRequest request) {
        byte[] data = request.typeSpecificData();
        try {
            switch (request.requestType()) {
                case SessionRequests.ENV:
                    return env(channel, SessionRequests.decodeEnv(data));
                case SessionRequests.EXEC:
                    return start(channel, SessionCommand.Kind.EXEC,
                            SessionRequests.decodeString(data, SessionRequests.EXEC), null);
                case SessionRequests.SHELL:
                    return start(channel, SessionCommand.Kind.SHELL, null, null);
                case SessionRequests.SUBSYSTEM:
                    return subsystem(channel, SessionRequests.decodeString(data, SessionRequests.SUBSYSTEM));
                case SessionRequests.SIGNAL:
                    return signal(channel, SessionRequests.decodeString(data, SessionRequests.SIGNAL));
                case SessionRequests.EOW:
                    if (stdout != null) {
                        // The client can write no more of our stdout (its own output closed): stop reading it, so
                        // that the command gets EPIPE on its next write, as under sshd.
                        stdout.stop();
                        SessionProcess p = process;
                        SessionThreads.POOL.execute(() -> closeQuietly(p.stdout()));
                        stdoutEnded(channel);
                    }
                    return true;
                case SessionRequests.PTY_REQ:
                    if (!config.permitTty() || !restrictions(channel).ptyAllowed()) {
                        // sshd's words for PermitTTY no, no-pty, restrict, or a certificate without permit-pty.
                        log.debug("Allocating a pty not permitted for this connection.");
                        return false;
                    }
                    if (!config.handler().supportsPty() || process != null || pty != null) {
                        log.info("channel {}: pty-req refused: no pseudo-terminal support in this server",
                                channel.localId());
                        return false;
                    }
                    pty = PtyRequest.decode(data);
                    return true;
                case AgentForwarder.REQUEST:
                    return agentForwarding(channel, data);
                case SessionRequests.WINDOW_CHANGE:
                    return windowChange(SessionRequests.decodeWindowChange(data));
                default:
                    log.debug("channel {}: session request {} refused", channel.localId(), request.requestType());
                    return false;
            }
        } catch (SshException e) {
            log.info("channel {}: malformed {} request: {}", channel.localId(), request.requestType(),
                    e.getMessage());
            return false;
        }
    }

    /** What the login's authorized_keys line or certificate allows; no limit on a connection without one. */
    private static KeyRestrictions restrictions(SshChannel channel) {
        AuthenticatedUser user = AuthenticatedUser.of(channel.connection().parent());
        return user == null ? KeyRestrictions.NONE : user.restrictions();
    }

    /**
     * {@code auth-agent-req@openssh.com}: granted, as by sshd, only when the key or certificate allows agent
     * forwarding and the server's {@link AgentForwarder} does (AllowAgentForwarding, DisableForwarding).
     */
    private boolean agentForwarding(SshChannel channel, byte[] data) {
        if (data.length != 0) {
            throw SshException.disconnect(DisconnectReason.PROTOCOL_ERROR, "data after %s", AgentForwarder.REQUEST);
        }
        if (process != null || !restrictions(channel).agentForwardingAllowed() || config.agentForwarder() == null) {
            log.debug("session_auth_agent_req: agent forwarding disabled");
            return false;
        }
        agentSocket = config.agentForwarder().listen(channel).orElse(null);
        return agentSocket != null;
    }

    /**
     * The variables the command gets beyond the basic ones, in sshd's order of precedence: the client's {@code env}
     * requests, then the authorized_keys {@code environment=} settings that PermitUserEnvironment allows, then
     * SSH_AUTH_SOCK.
     */
    private Map<String, String> commandEnvironment(SshChannel channel) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        restrictions(channel).environment().forEach((name, value) -> {
            if (config.permitsUserEnvironment(name)) {
                env.remove(name);
                env.put(name, value);
            }
        });
        if (agentSocket != null) {
            env.remove("SSH_AUTH_SOCK");
            env.put("SSH_AUTH_SOCK", agentSocket);
        }
        return env;
    }

    private boolean env(SshChannel channel, String[] nameValue) {
        if (process != null) {
            return false;
        }
        if (!config.acceptsEnv(nameValue[0])) {
            log.debug("channel {}: Ignoring env request {}: disallowed name", channel.localId(), nameValue[0]);
            return false;
        }
        environment.put(nameValue[0], nameValue[1]);
        return true;
    }

    private boolean subsystem(SshChannel channel, String name) {
        String command = config.subsystems().get(name);
        if (command == null) {
            log.info("subsystem request for {} by user {} failed, subsystem not found", name,
                    System.getProperty("user.name"));
            return false;
        }
        return start(channel, SessionCommand.Kind.SUBSYSTEM, command, name);
    }

    private boolean windowChange(int[] size) {
        if (pty == null || process == null) {
            return false;
        }
        SessionProcess p = process;
        SessionThreads.POOL.execute(() -> p.resize(size[0], size[1], size[2], size[3]));
        return true;
    }

    private boolean signal(SshChannel channel, String name) {
        if (process == null || exit != null || !Signals.isKnown(name)) {
            log.debug("channel {}: signal {} not delivered", channel.localId(), name);
            return false;
        }
        SessionProcess p = process;
        SessionThreads.POOL.execute(() -> p.signal(name));
        return true;
    }

    private boolean start(SshChannel channel, SessionCommand.Kind kind, String command, String subsystem) {
        if (process != null) {
            return false; // one command per session
        }
        String original = null;
        String keyCommand = restrictions(channel).forcedCommand().orElse(null);
        if (config.forceCommand() != null) {
            original = command == null ? "" : command;
            command = config.forceCommand();
        } else if (keyCommand != null) {
            // As sshd: the server's ForceCommand wins, then command= or a certificate's force-command.
            original = command == null ? "" : command;
            command = keyCommand;
        }
        SessionCommand request = new SessionCommand(kind, command, subsystem, original,
                System.getProperty("user.name"), commandEnvironment(channel),
                inet(channel.connection().parent().remoteAddress()),
                inet(channel.connection().parent().localAddress()), pty);
        try {
            process = config.handler().start(request);
        } catch (IOException | RuntimeException e) {
            log.warn("channel {}: cannot start {}: {}", channel.localId(), kind, e.toString());
            return false;
        }
        InetSocketAddress peer = request.client();
        log.info("Starting session: {} for {} from {} port {} id {}", describe(kind, subsystem, keyCommand),
                request.user(), peer == null ? "?" : peer.getAddress().getHostAddress(),
                peer == null ? 0 : peer.getPort(), channel.localId());
        // A terminal has one device for both directions: the client's EOF must not close it under the output.
        stdin = new StreamSink(channel, process.stdin(), pty == null, () -> { });
        stdout = new StreamSource(channel, process.stdout(), false, () -> stdoutEnded(channel));
        stderr = new StreamSource(channel, process.stderr(), true, () -> {
            stderrEnded = true;
            maybeFinish(channel);
        });
        stdout.start();
        stderr.start();
        SessionProcess p = process;
        SessionThreads.POOL.execute(() -> {
            ExitStatus status;
            try {
                status = p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                channel.connection().eventLoop().execute(() -> {
                    exit = status;
                    maybeFinish(channel);
                });
            } catch (RejectedExecutionException e) {
                // The connection's loop is gone; nobody is left to tell.
            }
        });
        return true;
    }

    /** The words of sshd's "Starting session:" line. */
    private String describe(SessionCommand.Kind kind, String subsystem, String keyCommand) {
        if (config.forceCommand() != null) {
            return "forced-command (config) '" + config.forceCommand() + "'";
        }
        if (keyCommand != null) {
            return "forced-command (key-option) '" + keyCommand + "'";
        }
        return switch (kind) {
            case EXEC -> "command";
            case SHELL -> pty != null ? "shell on pty" : "shell";
            case SUBSYSTEM -> "subsystem '" + subsystem + "'";
        };
    }

    private void stdoutEnded(SshChannel channel) {
        if (!stdoutEnded) {
            stdoutEnded = true;
            maybeFinish(channel);
        }
    }

    private void maybeFinish(SshChannel channel) {
        if (finished || closed || !stdoutEnded || !stderrEnded || exit == null) {
            return;
        }
        finished = true;
        channel.shutdownOutput();
        String type = exit.isSignal() ? SessionRequests.EXIT_SIGNAL : SessionRequests.EXIT_STATUS;
        channel.sendRequest(type, false, SessionRequests.exit(exit));
        channel.close();
    }

    @Override
    public void onData(SshChannel channel, ByteBuf data) {
        if (stdin == null) {
            channel.consumed(data.readableBytes()); // nothing runs yet to read it
            return;
        }
        stdin.offer(data);
    }

    @Override
    public void onExtendedData(SshChannel channel, int dataTypeCode, ByteBuf data) {
        channel.consumed(data.readableBytes()); // a client sends no extended data to a session; drop it
    }

    @Override
    public void onEof(SshChannel channel) {
        if (stdin != null) {
            stdin.eof();
        }
    }

    @Override
    public void onWritabilityChanged(SshChannel channel) {
        if (stdout != null) {
            stdout.wake();
            stderr.wake();
        }
    }

    @Override
    public void onClose(SshChannel channel) {
        closed = true;
        onClosed.run();
        if (process == null) {
            return;
        }
        stdout.stop();
        stderr.stop();
        stdin.abort();
        SessionProcess p = process;
        boolean running = exit == null;
        SessionThreads.POOL.execute(() -> {
            if (running) {
                p.destroy();
            }
            p.release();
        });
    }

    private static InetSocketAddress inet(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : null;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing a stream failed: {}", e.toString());
        }
    }
}
