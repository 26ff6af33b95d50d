package dev.sluice.connection;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.connection.message.ChannelClose;
import dev.sluice.connection.message.ChannelData;
import dev.sluice.connection.message.ChannelEof;
import dev.sluice.connection.message.ChannelExtendedData;
import dev.sluice.connection.message.ChannelFailure;
import dev.sluice.connection.message.ChannelOpen;
import dev.sluice.connection.message.ChannelOpenConfirmation;
import dev.sluice.connection.message.ChannelOpenFailure;
import dev.sluice.connection.message.ChannelRequest;
import dev.sluice.connection.message.ChannelSuccess;
import dev.sluice.connection.message.ChannelWindowAdjust;
import dev.sluice.connection.message.ConnectionMessage;
import dev.sluice.connection.message.GlobalRequest;
import dev.sluice.connection.message.OpenFailureReason;
import dev.sluice.connection.message.RequestFailure;
import dev.sluice.connection.message.RequestSuccess;
import dev.sluice.transport.Role;
import dev.sluice.transport.SshException;
import dev.sluice.transport.TransportSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH connection protocol, RFC 4254, for one SSH connection and both roles: the channel table, flow-control
 * windows, global requests. The last protocol handler of the pipeline, after user authentication.
 *
 * <p>Client and server differ only in the channel types they accept, given as {@link ChannelOpenHandler}s (a server
 * registers {@code direct-tcpip}, a client {@code forwarded-tcpip}), and the global requests they serve, given as
 * {@link GlobalRequestHandler}s (a server registers {@code tcpip-forward}); the users of the connection work through
 * {@link #connection()}.
 *
 * <h3>Messages and buffers</h3>
 * Inbound, each message is a {@link ByteBuf} payload whose first byte is the message number (80 and up); this
 * handler owns and releases it. CHANNEL_DATA reaches the channel's listener as a slice of that payload, borrowed
 * for the call. Outbound, each message is written as a payload buffer for the packet layer below. Writes are not
 * flushed one by one: they are flushed at the end of an inbound read batch, or once per event-loop turn for writes
 * from elsewhere (forwarded sockets), so that a busy connection makes few syscalls.
 *
 * <h3>Errors</h3>
 * A malformed or out-of-place message (unknown channel number, window overrun, data after EOF, an unsolicited
 * reply) is fired as an {@link SshException} with PROTOCOL_ERROR; the pipeline's tail handler disconnects, and
 * nothing more is read here. When the SSH socket closes, every channel ends ({@link ChannelListener#onClose}) and
 * every queued buffer is released.
 *
 * <p><b>Threading:</b> all state is confined to the channel's event loop; there are no locks.
 */
public final class ConnectionHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    final ConnectionConfig config;
    final ChannelTable table;
    private final Map<String, ChannelOpenHandler> openHandlers;
    private final Map<String, GlobalRequestHandler> globalHandlers;
    private final ArrayDeque<Promise<Optional<byte[]>>> globalReplies = new ArrayDeque<>(2);
    /** The peer's global requests that want a reply, oldest first; replies leave in this order. */
    private final ArrayDeque<PeerGlobalRequest> peerGlobalRequests = new ArrayDeque<>(2);
    private volatile String user;
    private final Connection connection = new Connection();
    private final Runnable flushTask = this::flushTask;
    /** Grows channel windows from measurement; null when the configuration keeps them fixed. */
    private final WindowTuner windowTuner;

    private ChannelHandlerContext ctx;
    private boolean closed;
    private boolean failed;
    /** Something was written and not flushed. */
    private boolean dirty;
    private boolean flushTaskScheduled;

    /**
     * @param config windows, packet size and channel limit
     * @param openHandlers the channel types the peer may open, by type name (copied)
     */
    public ConnectionHandler(ConnectionConfig config, Map<String, ChannelOpenHandler> openHandlers) {
        this(config, openHandlers, Map.of());
    }

    /**
     * @param config windows, packet size and channel limit
     * @param openHandlers the channel types the peer may open, by type name (copied)
     * @param globalHandlers the global requests the peer may make, by request name (copied)
     */
    public ConnectionHandler(ConnectionConfig config, Map<String, ChannelOpenHandler> openHandlers,
            Map<String, GlobalRequestHandler> globalHandlers) {
        this(config, openHandlers, globalHandlers, System::nanoTime);
    }

    /** As the public constructor, with the clock the window tuner measures round trips with. */
    ConnectionHandler(ConnectionConfig config, Map<String, ChannelOpenHandler> openHandlers,
            Map<String, GlobalRequestHandler> globalHandlers, LongSupplier clock) {
        this.config = config;
        this.table = new ChannelTable(config.maxChannels());
        this.openHandlers = new HashMap<>(openHandlers);
        this.globalHandlers = new HashMap<>(globalHandlers);
        this.windowTuner = config.windowsGrow() ? new WindowTuner(connection, config.maxWindow(), clock) : null;
    }

    /**
     * Records the user name the connection authenticated as (on a server the client's; on a client ours), for
     * {@link SshConnection#user()}, and starts the connection layer's own traffic (window tuning). Called on the event
     * loop by {@link SshServer} and {@link SshClient} when authentication succeeds.
     */
    public void authenticated(String userName) {
        this.user = userName;
        if (windowTuner != null && ctx != null) {
            if (ctx.executor().inEventLoop()) {
                startWindowTuning();
            } else {
                ctx.executor().execute(this::startWindowTuning);
            }
        }
    }

    private void startWindowTuning() {
        if (!closed) {
            windowTuner.start();
        }
    }

    /** A handler that accepts no channel types from the peer (a plain client). */
    public ConnectionHandler(ConnectionConfig config) {
        this(config, Map.of());
    }

    /** The API of this connection, usable from any thread once the handler is in a pipeline. */
    public SshConnection connection() {
        return connection;
    }

    // ---- Netty events -----------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().closeFuture().isDone()) {
            // Added to a pipeline whose socket is already gone: there will be no channelInactive. (A client's
            // pipeline is built before it connects, so "not active" alone does not mean gone.)
            closeAll();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeAll();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf payload = (ByteBuf) msg;
        try {
            if (!failed && !closed) {
                dispatch(payload);
            }
        } catch (SshException e) {
            failed = true; // the tail disconnects; whatever else arrives meanwhile is not acted on
            ctx.fireExceptionCaught(e);
        } finally {
            payload.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (dirty) {
            dirty = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Index loop over the live table: a listener may close channels (freeing slots) while we iterate.
        for (int i = 0, n = table.capacity(); i < n; i++) {
            MuxChannel c = table.get(i);
            if (c != null) {
                c.updateWritability();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- dispatch ---------------------------------------------------------------------------------------------

    private void dispatch(ByteBuf payload) {
        ConnectionMessage m = ConnectionMessage.decode(payload);
        try {
            switch (m.messageId()) {
                case ChannelData.ID -> {
                    ChannelData d = (ChannelData) m;
                    channel(d.recipientChannel(), "DATA").onData(d.content());
                }
                case ChannelWindowAdjust.ID -> {
                    ChannelWindowAdjust a = (ChannelWindowAdjust) m;
                    channel(a.recipientChannel(), "WINDOW_ADJUST")
                            .onWindowAdjust(Integer.toUnsignedLong(a.bytesToAdd()));
                }
                case ChannelExtendedData.ID -> {
                    ChannelExtendedData d = (ChannelExtendedData) m;
                    channel(d.recipientChannel(), "EXTENDED_DATA").onExtendedData(d.dataTypeCode(), d.content());
                }
                case ChannelEof.ID -> channel(((ChannelEof) m).recipientChannel(), "EOF").onEof();
                case ChannelClose.ID -> channel(((ChannelClose) m).recipientChannel(), "CLOSE").onClose();
                case ChannelRequest.ID -> {
                    ChannelRequest r = (ChannelRequest) m;
                    channel(r.recipientChannel(), "REQUEST").onRequest(r);
                }
                case ChannelSuccess.ID -> channel(((ChannelSuccess) m).recipientChannel(), "SUCCESS")
                        .onRequestReply(true);
                case ChannelFailure.ID -> channel(((ChannelFailure) m).recipientChannel(), "FAILURE")
                        .onRequestReply(false);
                case ChannelOpen.ID -> onChannelOpen((ChannelOpen) m);
                case ChannelOpenConfirmation.ID -> {
                    ChannelOpenConfirmation c = (ChannelOpenConfirmation) m;
                    channel(c.recipientChannel(), "OPEN_CONFIRMATION").onConfirmation(c);
                }
                case ChannelOpenFailure.ID -> {
                    ChannelOpenFailure f = (ChannelOpenFailure) m;
                    channel(f.recipientChannel(), "OPEN_FAILURE").onOpenFailure(f);
                }
                case GlobalRequest.ID -> onGlobalRequest((GlobalRequest) m);
                case RequestSuccess.ID -> onGlobalReply(Optional.of(((RequestSuccess) m).responseData()));
                case RequestFailure.ID -> onGlobalReply(Optional.empty());
                default -> throw new IllegalStateException("undispatched " + m);
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    private MuxChannel channel(int id, String what) {
        MuxChannel c = table.get(id);
        if (c == null) {
            throw SshException.disconnect(PROTOCOL_ERROR, "rcvd CHANNEL_%s for unknown channel %d", what,
                    Integer.toUnsignedLong(id));
        }
        return c;
    }

    private void onChannelOpen(ChannelOpen m) {
        ChannelOpenHandler handler = openHandlers.get(m.channelType());
        if (handler == null) {
            log.debug("refusing channel open of unknown type {}", m.channelType());
            send(new ChannelOpenFailure(m.senderChannel(), OpenFailureReason.UNKNOWN_CHANNEL_TYPE,
                    "unknown channel type"));
            return;
        }
        MuxChannel c = new MuxChannel(this, m);
        int id = table.add(c);
        if (id < 0) {
            log.warn("refusing {} channel open: {} channels in use", m.channelType(), table.size());
            send(new ChannelOpenFailure(m.senderChannel(), OpenFailureReason.RESOURCE_SHORTAGE,
                    "too many channels"));
            return;
        }
        c.assign(id);
        try {
            handler.onOpen(c);
        } catch (SshException e) {
            throw e; // malformed open data is the peer's protocol error
        } catch (RuntimeException e) {
            log.warn("channel {}: {} open handler failed", id, m.channelType(), e);
            if (!c.answered()) {
                c.reject(OpenFailureReason.CONNECT_FAILED, "open failed");
            }
        }
    }

    private void onGlobalRequest(GlobalRequest m) {
        PeerGlobalRequest request = new PeerGlobalRequest(m);
        if (m.wantReply()) {
            peerGlobalRequests.add(request);
        }
        // OpenSSH's line, named after its client or server function.
        if (log.isDebugEnabled()) {
            TransportSession session = TransportSession.of(ctx.channel());
            log.debug("{}_input_global_request: rtype {} want_reply {}",
                    session != null && session.role() == Role.CLIENT ? "client" : "server", m.requestName(),
                    m.wantReply() ? 1 : 0);
        }
        GlobalRequestHandler handler = globalHandlers.get(m.requestName());
        if (handler == null) {
            // Like OpenSSH, refuse what we do not serve (keepalive@openssh.com included): it only wants an answer.
            log.trace("global request {} refused", m.requestName());
            request.fail();
            return;
        }
        try {
            handler.onRequest(request);
        } catch (SshException e) {
            throw e; // malformed request data is the peer's protocol error
        } catch (RuntimeException e) {
            log.warn("global request {} handler failed", m.requestName(), e);
            if (!request.answered) {
                request.fail();
            }
        }
    }

    /** Sends the replies that are due: the answered requests at the head of the queue, in arrival order. */
    private void sendGlobalReplies() {
        PeerGlobalRequest head;
        while ((head = peerGlobalRequests.peek()) != null && head.reply != null) {
            peerGlobalRequests.poll();
            send(head.reply);
        }
    }

    private void onGlobalReply(Optional<byte[]> reply) {
        Promise<Optional<byte[]>> p = globalReplies.poll();
        if (p == null) {
            throw SshException.disconnect(PROTOCOL_ERROR, "rcvd REQUEST_%s without a global request",
                    reply.isPresent() ? "SUCCESS" : "FAILURE");
        }
        p.trySuccess(reply);
    }

    // ---- used by MuxChannel -----------------------------------------------------------------------------------

    void dataReceived(MuxChannel c) {
        if (windowTuner != null) {
            windowTuner.dataReceived(c);
        }
    }

    EventExecutor executor() {
        return ctx.executor();
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    boolean parentWritable() {
        return ctx.channel().isWritable();
    }

    void send(ConnectionMessage m) {
        if (closed) {
            return;
        }
        write(m.toPayload(ctx.alloc()));
    }

    /**
     * Writes one payload, a ByteBuf or a {@link dev.sluice.transport.message.DirectPayload} (taking ownership), and
     * makes sure a flush follows.
     */
    void write(ReferenceCounted payload) {
        if (closed) {
            payload.release();
            return;
        }
        ctx.write(payload);
        markDirty();
    }

    private void markDirty() {
        dirty = true;
        if (!flushTaskScheduled) {
            flushTaskScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    private void flushTask() {
        flushTaskScheduled = false;
        if (dirty) {
            dirty = false;
            ctx.flush();
        }
    }

    private void closeAll() {
        if (closed) {
            return;
        }
        closed = true;
        for (MuxChannel c : table.clear()) {
            c.connectionClosed();
        }
        Promise<Optional<byte[]>> p;
        while ((p = globalReplies.poll()) != null) {
            p.tryFailure(new ClosedChannelException());
        }
        peerGlobalRequests.clear();
    }

    /** One GLOBAL_REQUEST of the peer, answered once by its handler; the reply waits for earlier requests. */
    private final class PeerGlobalRequest implements InboundGlobalRequest {
        private final GlobalRequest request;
        private boolean answered;
        /** The reply to send, once answered (null until then, and for requests without want-reply). */
        private ConnectionMessage reply;

        PeerGlobalRequest(GlobalRequest request) {
            this.request = request;
        }

        @Override
        public SshConnection connection() {
            return connection;
        }

        @Override
        public String requestName() {
            return request.requestName();
        }

        @Override
        public boolean wantReply() {
            return request.wantReply();
        }

        @Override
        public byte[] requestData() {
            return request.requestData();
        }

        @Override
        public void succeed(byte[] responseData) {
            answer(new RequestSuccess(responseData));
        }

        @Override
        public void fail() {
            answer(RequestFailure.INSTANCE);
        }

        private void answer(ConnectionMessage m) {
            EventExecutor loop = ctx.executor();
            if (!loop.inEventLoop()) {
                loop.execute(() -> answer(m));
                return;
            }
            if (answered) {
                throw new IllegalStateException("global request " + request.requestName() + " answered twice");
            }
            answered = true;
            if (request.wantReply() && !closed) {
                reply = m;
                sendGlobalReplies();
            }
        }
    }

    // ---- the public API ---------------------------------------------------------------------------------------

    private final class Connection implements SshConnection {
        @Override
        public Channel parent() {
            return ctx.channel();
        }

        @Override
        public ConnectionConfig config() {
            return config;
        }

        @Override
        public Future<SshChannel> openChannel(String channelType, byte[] typeSpecificData, ChannelListener listener) {
            if (ctx == null) {
                return ImmediateEventExecutor.INSTANCE.newFailedFuture(
                        new IllegalStateException("the connection handler is not in a pipeline yet"));
            }
            byte[] data = typeSpecificData.clone();
            Promise<SshChannel> p = ctx.executor().newPromise();
            onLoop(() -> {
                if (closed) {
                    p.tryFailure(new ClosedChannelException());
                    return;
                }
                MuxChannel c = new MuxChannel(ConnectionHandler.this, channelType, listener, p);
                int id = table.add(c);
                if (id < 0) {
                    p.tryFailure(new ChannelOpenException(-1, OpenFailureReason.RESOURCE_SHORTAGE.code(),
                            "too many channels (" + table.size() + ")"));
                    return;
                }
                c.assign(id);
                c.sendOpen(data);
            }, p);
            return p;
        }

        @Override
        public Future<List<SshChannel>> openChannels() {
            Promise<List<SshChannel>> p = ctx.executor().newPromise();
            onLoop(() -> p.trySuccess(List.copyOf(table.snapshot())), p);
            return p;
        }

        @Override
        public Future<Optional<byte[]>> sendGlobalRequest(String requestName, boolean wantReply, byte[] requestData) {
            if (ctx == null) {
                return ImmediateEventExecutor.INSTANCE.newFailedFuture(
                        new IllegalStateException("the connection handler is not in a pipeline yet"));
            }
            byte[] data = requestData.clone();
            Promise<Optional<byte[]>> p = ctx.executor().newPromise();
            onLoop(() -> {
                if (closed) {
                    p.tryFailure(new ClosedChannelException());
                    return;
                }
                send(new GlobalRequest(requestName, wantReply, data));
                if (wantReply) {
                    globalReplies.add(p);
                } else {
                    p.trySuccess(Optional.empty());
                }
            }, p);
            return p;
        }

        @Override
        public String user() {
            return user;
        }

        @Override
        public void registerGlobalRequestHandler(String requestName, GlobalRequestHandler handler) {
            if (ctx == null) {
                globalHandlers.put(requestName, handler);
            } else {
                onLoop(() -> globalHandlers.put(requestName, handler), null);
            }
        }

        @Override
        public void registerOpenHandler(String channelType, ChannelOpenHandler handler) {
            if (ctx == null) {
                openHandlers.put(channelType, handler);
            } else {
                onLoop(() -> openHandlers.put(channelType, handler), null);
            }
        }

        @Override
        public void flushSoon() {
            if (ctx != null) {
                onLoop(() -> {
                    if (dirty && !flushTaskScheduled) {
                        markDirty();
                    }
                }, null);
            }
        }

        @Override
        public ChannelFuture close() {
            return ctx.channel().close();
        }

        @Override
        public ChannelFuture closeFuture() {
            return ctx.channel().closeFuture();
        }

        private void onLoop(Runnable task, Promise<?> failOnReject) {
            EventExecutor loop = ctx.executor();
            if (loop.inEventLoop()) {
                task.run();
                return;
            }
            try {
                loop.execute(task);
            } catch (RuntimeException e) {
                if (failOnReject != null) {
                    failOnReject.tryFailure(e);
                }
            }
        }
    }
}
