package dev.sluice.connection.session;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.ChannelExtendedData;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a session channel (RFC 4254 section 6): run a command, a shell or a subsystem on the server
 * with its stdin, stdout and stderr connected to Java streams, and learn how it ended.
 *
 * <pre>{@code
 * ExitStatus status = ClientSession.exec(connection, "uname -a", null, System.out, System.err).get();
 * }</pre>
 *
 * <p>Streams are copied on their own threads with the channel's flow control: stdin is read only while the server's
 * window has room, and output is credited back to the server only once written to {@code stdout}/{@code stderr}, so a
 * slow reader slows the remote command. The output streams are flushed, not closed, at the server's EOF.
 *
 * <p>Thread-safe: the request methods may be called from any thread and report through their futures.
 */
public final class ClientSession {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final Listener listener;
    private final SshChannel channel;

    private ClientSession(Listener listener, SshChannel channel) {
        this.listener = listener;
        this.channel = channel;
    }

    /**
     * Opens a session channel. Nothing runs until {@link #exec}, {@link #shell} or {@link #subsystem}.
     *
     * @param stdin copied to the command once it starts, then EOF; {@code null} sends EOF at once (ssh's -n)
     * @param stdout receives the command's output
     * @param stderr receives its extended data (stderr)
     */
    public static Future<ClientSession> open(SshConnection connection, InputStream stdin, OutputStream stdout,
            OutputStream stderr) {
        Promise<ClientSession> result = connection.eventLoop().newPromise();
        Listener listener = new Listener(stdin, stdout, stderr, connection.eventLoop().newPromise());
        connection.openChannel(SessionOpenHandler.CHANNEL_TYPE, new byte[0], listener).addListener(f -> {
            if (f.isSuccess()) {
                result.trySuccess(new ClientSession(listener, (SshChannel) f.getNow()));
            } else {
                result.tryFailure(f.cause());
            }
        });
        return result;
    }

    /**
     * Runs {@code command} and completes with its exit status once it has ended and its output is written, or fails
     * when the session could not be opened or the server refused the command.
     */
    public static Future<ExitStatus> exec(SshConnection connection, String command, InputStream stdin,
            OutputStream stdout, OutputStream stderr) {
        Promise<ExitStatus> result = connection.eventLoop().newPromise();
        open(connection, stdin, stdout, stderr).addListener(f -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
            }
            ClientSession session = (ClientSession) f.getNow();
            session.exec(command).addListener(r -> {
                if (r.isSuccess() && Boolean.TRUE.equals(r.getNow())) {
                    session.exitStatus().addListener(e -> {
                        if (e.isSuccess()) {
                            result.trySuccess((ExitStatus) e.getNow());
                        } else {
                            result.tryFailure(e.cause());
                        }
                    });
                } else {
                    session.close();
                    result.tryFailure(r.cause() != null ? r.cause()
                            : new IllegalStateException("exec request failed on channel " + session.channel.localId()));
                }
            });
        });
        return result;
    }

    /** The underlying channel. */
    public SshChannel channel() {
        return channel;
    }

    /** Asks for a pseudo-terminal ({@code pty-req}); true when the server allocated one. */
    public Future<Boolean> requestPty(PtyRequest pty) {
        return channel.sendRequest(SessionRequests.PTY_REQ, true, pty.encode());
    }

    /**
     * Asks the server to forward an agent to this session ({@code auth-agent-req@openssh.com}, without want-reply, as
     * ssh -A sends it); completes once written. This sends only the request: the agent channels the server then
     * opens are refused unless the connection accepts them, which the forwarding module's
     * {@code AgentForwarding.request(session, agentSocket)} arranges together with this request.
     */
    public Future<Boolean> requestAgentForwarding() {
        return channel.sendRequest(AgentForwarder.REQUEST, false, new byte[0]);
    }

    /** Sets an environment variable for the command ({@code env}); servers accept only what they allow. */
    public Future<Boolean> setEnv(String name, String value) {
        return channel.sendRequest(SessionRequests.ENV, true, SessionRequests.env(name, value));
    }

    /** Runs {@code command}; on success stdin starts flowing. */
    public Future<Boolean> exec(String command) {
        log.debug("Sending command: {}", command);
        return start(channel.sendRequest(SessionRequests.EXEC, true, SessionRequests.string(command)));
    }

    /** Starts the user's shell. */
    public Future<Boolean> shell() {
        return start(channel.sendRequest(SessionRequests.SHELL, true, new byte[0]));
    }

    /** Starts the subsystem {@code name} (e.g. {@code sftp}). */
    public Future<Boolean> subsystem(String name) {
        log.debug("Sending subsystem: {}", name);
        return start(channel.sendRequest(SessionRequests.SUBSYSTEM, true, SessionRequests.string(name)));
    }

    /** Tells the server the terminal's new size ({@code window-change}, no reply). */
    public void windowChange(int columns, int rows, int widthPixels, int heightPixels) {
        channel.sendRequest(SessionRequests.WINDOW_CHANGE, false,
                SessionRequests.windowChange(columns, rows, widthPixels, heightPixels));
    }

    /** Sends {@code signal} ({@code INT}, {@code TERM}, … without {@code SIG}) to the command, no reply. */
    public void signal(String name) {
        channel.sendRequest(SessionRequests.SIGNAL, false, SessionRequests.string(name));
    }

    /**
     * Completes when the channel has closed and all output has been written: with the server's exit-status or
     * exit-signal, or failed with {@link NoExitStatusException} when the server sent neither.
     */
    public Future<ExitStatus> exitStatus() {
        return listener.exit;
    }

    /** Closes the channel (the server then ends the command). */
    public void close() {
        channel.close();
    }

    private Future<Boolean> start(Future<Boolean> request) {
        request.addListener(f -> {
            if (f.isSuccess() && Boolean.TRUE.equals(f.getNow())) {
                channel.connection().eventLoop().execute(() -> listener.startInput(channel));
            }
        });
        return request;
    }

    /** Completes {@link #exitStatus()} when the server closed the session without an exit status. */
    public static final class NoExitStatusException extends Exception {
        private static final long serialVersionUID = 1L;

        NoExitStatusException(int channel) {
            super("channel " + channel + ": closed without an exit status");
        }
    }

    /** The channel's events; event loop only, apart from the sinks' completion. */
    private static final class Listener implements ChannelListener {
        private final InputStream in;
        private final OutputStream out;
        private final OutputStream err;
        private final Promise<ExitStatus> exit;
        /** Sinks still writing, plus one for the channel itself, which must close before the exit is reported. */
        private final AtomicInteger pending = new AtomicInteger(3);
        private StreamSink stdout;
        private StreamSink stderr;
        private StreamSource stdin;
        private volatile ExitStatus status;
        private int localId;

        Listener(InputStream in, OutputStream out, OutputStream err, Promise<ExitStatus> exit) {
            this.in = in;
            this.out = out;
            this.err = err;
            this.exit = exit;
        }

        @Override
        public void onOpen(SshChannel channel) {
            localId = channel.localId();
            stdout = new StreamSink(channel, out, false, this::oneDone);
            stderr = new StreamSink(channel, err, false, this::oneDone);
        }

        void startInput(SshChannel channel) {
            if (stdin != null || !channel.isOpen()) {
                return;
            }
            if (in == null) {
                channel.shutdownOutput();
                return;
            }
            stdin = new StreamSource(channel, in, false, channel::shutdownOutput);
            stdin.start();
        }

        @Override
        public void onData(SshChannel channel, ByteBuf data) {
            stdout.offer(data);
        }

        @Override
        public void onExtendedData(SshChannel channel, int dataTypeCode, ByteBuf data) {
            if (dataTypeCode == ChannelExtendedData.STDERR) {
                stderr.offer(data);
            } else {
                channel.consumed(data.readableBytes());
            }
        }

        @Override
        public void onEof(SshChannel channel) {
            stdout.eof();
            stderr.eof();
        }

        @Override
        public void onWritabilityChanged(SshChannel channel) {
            if (stdin != null) {
                stdin.wake();
            }
        }

        @Override
        public boolean onRequest(SshChannel channel, ChannelRequest request) {
            log.debug("client_input_channel_req: channel {} rtype {} reply {}", channel.localId(),
                    request.requestType(), request.wantReply() ? 1 : 0);
            try {
                switch (request.requestType()) {
                    case SessionRequests.EXIT_STATUS:
                        status = SessionRequests.decodeExitStatus(request.typeSpecificData());
                        return true;
                    case SessionRequests.EXIT_SIGNAL:
                        status = SessionRequests.decodeExitSignal(request.typeSpecificData());
                        return true;
                    default:
                        return false;
                }
            } catch (SshException | IllegalArgumentException e) {
                log.info("channel {}: malformed {}: {}", channel.localId(), request.requestType(), e.getMessage());
                return false;
            }
        }

        @Override
        public void onClose(SshChannel channel) {
            if (stdin != null) {
                stdin.stop();
            }
            if (stdout == null) {
                oneDone();
                oneDone();
            } else {
                // Output that arrived before the close is still written; nothing more can come.
                stdout.eof();
                stderr.eof();
            }
            oneDone();
        }

        private void oneDone() {
            if (pending.decrementAndGet() == 0) {
                ExitStatus s = status;
                if (s != null) {
                    exit.trySuccess(s);
                } else {
                    exit.tryFailure(new NoExitStatusException(localId));
                }
            }
        }
    }
}
