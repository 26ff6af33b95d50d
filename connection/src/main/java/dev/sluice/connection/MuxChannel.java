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
import dev.sluice.connection.message.OpenFailureReason;
import dev.sluice.transport.SshException;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel of a {@link ConnectionHandler}: its state (RFC 4254 sections 5.1 to 5.3), its two windows, the queue of
 * data waiting for send window, and the replies it waits for.
 *
 * <p>Also the {@link ChannelOpenRequest} of a channel the peer opens, until it is accepted or rejected.
 *
 * <h3>Lifecycle</h3>
 * OPENING (we sent OPEN) or ACCEPTING (the peer sent OPEN) → OPEN → CLOSED. While OPEN each direction closes on its
 * own: EOF is a half-close; CLOSE is sent once, and the number is freed only when both CLOSEs have passed. After
 * our CLOSE, the peer's messages that crossed it are dropped.
 *
 * <p>Event loop only; the public mutators hop onto the loop when called from elsewhere.
 */
final class MuxChannel implements SshChannel, ChannelOpenRequest {
    private static final Logger log = LoggerFactory.getLogger(MuxChannel.class);

    enum State { OPENING, ACCEPTING, OPEN, CLOSED }

    private final ConnectionHandler mux;
    private final String type;
    private int localId = -1;
    private int remoteId = -1;
    private State state;
    private ChannelListener listener;
    private Promise<SshChannel> openPromise;
    private byte[] openData;
    private LocalWindow local;
    private RemoteWindow remote;

    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(4);
    /** Extended data (stderr) waiting for send window; it shares the window with {@link #pending}. */
    private final ArrayDeque<ByteBuf> pendingExtended = new ArrayDeque<>(2);
    /** Requests made after {@link #shutdownOutput}: they follow the EOF, as the data before it does. */
    private final ArrayDeque<Runnable> afterEof = new ArrayDeque<>(2);
    private final ArrayDeque<Promise<Boolean>> replies = new ArrayDeque<>(2);
    private boolean eofRequested;
    private boolean eofSent;
    private boolean eofReceived;
    private boolean closeRequested;
    private boolean closeSent;
    private boolean closeReceived;
    /** For a channel the peer opens: accept or reject was called. */
    private boolean answered;
    /** The writability last reported to the listener. */
    private boolean writable;

    /** A channel we open; {@link #sendOpen} follows once it has a number. */
    MuxChannel(ConnectionHandler mux, String type, ChannelListener listener, Promise<SshChannel> openPromise) {
        this.mux = mux;
        this.type = type;
        this.state = State.OPENING;
        this.listener = listener;
        this.openPromise = openPromise;
        this.answered = true;
    }

    /** A channel the peer opens, waiting for its handler's decision. */
    MuxChannel(ConnectionHandler mux, ChannelOpen open) {
        this.mux = mux;
        this.type = open.channelType();
        this.state = State.ACCEPTING;
        this.remoteId = open.senderChannel();
        this.openData = open.typeSpecificData();
        this.remote = new RemoteWindow(Integer.toUnsignedLong(open.initialWindowSize()),
                Integer.toUnsignedLong(open.maximumPacketSize()), mux.config.maxPacket());
    }

    void assign(int id) {
        this.localId = id;
        this.local = new LocalWindow(mux.config.initialWindow(), mux.config.maxPacket());
    }

    void sendOpen(byte[] typeSpecificData) {
        // OpenSSH's line; its name in brackets for a session is "client-session", for the others the type.
        log.debug("channel {}: new {} [{}] (inactive timeout: 0)", localId, type,
                type.equals("session") ? "client-session" : type);
        mux.send(new ChannelOpen(type, localId, (int) local.max(), mux.config.maxPacket(), typeSpecificData));
    }

    // ---- SshChannel -------------------------------------------------------------------------------------------

    @Override
    public int localId() {
        return localId;
    }

    @Override
    public int remoteId() {
        return state == State.OPENING ? -1 : remoteId;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public SshConnection connection() {
        return mux.connection();
    }

    @Override
    public boolean isOpen() {
        return state != State.CLOSED;
    }

    @Override
    public boolean isWritable() {
        return state == State.OPEN && !eofRequested && !closeRequested && pending.isEmpty()
                && pendingExtended.isEmpty() && remote.credit() > 0 && mux.parentWritable();
    }

    @Override
    public long sendWindow() {
        return remote == null ? 0 : remote.credit();
    }

    @Override
    public long receiveWindowSize() {
        return local == null ? mux.config.initialWindow() : local.max();
    }

    /** Every data byte the peer sent on this channel so far. */
    long receivedBytes() {
        return local.received();
    }

    /**
     * Raises the receive window to {@code newMax} and credits the difference to the peer at once. Nothing happens once
     * the peer's data has ended (EOF) or our CLOSE is out, since no credit may follow either.
     */
    void growReceiveWindow(long newMax) {
        if (state != State.OPEN || closeSent || eofReceived || newMax <= local.max()) {
            return;
        }
        long extra = newMax - local.max();
        local.grow(extra);
        mux.send(new ChannelWindowAdjust(remoteId, (int) extra));
    }

    @Override
    public void write(ByteBuf data) {
        EventExecutor loop = mux.executor();
        if (!loop.inEventLoop()) {
            hop(() -> write(data), data);
            return;
        }
        if (!(state == State.OPEN || state == State.OPENING) || eofRequested || closeRequested
                || !data.isReadable()) {
            data.release();
            return;
        }
        pending.add(data);
        if (state == State.OPEN) {
            drain();
        }
        updateWritability();
    }

    @Override
    public void writeExtended(int dataTypeCode, ByteBuf data) {
        if (dataTypeCode != ChannelExtendedData.STDERR) {
            data.release();
            throw new IllegalArgumentException("only stderr (1) is defined: " + dataTypeCode);
        }
        EventExecutor loop = mux.executor();
        if (!loop.inEventLoop()) {
            hop(() -> writeExtended(dataTypeCode, data), data);
            return;
        }
        if (!(state == State.OPEN || state == State.OPENING) || eofRequested || closeRequested
                || !data.isReadable()) {
            data.release();
            return;
        }
        pendingExtended.add(data);
        if (state == State.OPEN) {
            drain();
        }
        updateWritability();
    }

    @Override
    public void consumed(int bytes) {
        if (!mux.executor().inEventLoop()) {
            hop(() -> consumed(bytes), null);
            return;
        }
        if (state != State.OPEN || closeSent) {
            return; // no WINDOW_ADJUST can follow our CLOSE
        }
        local.consume(bytes);
        long credit = local.takeAdjustment();
        if (credit > 0) {
            mux.send(new ChannelWindowAdjust(remoteId, (int) credit));
        }
    }

    @Override
    public void shutdownOutput() {
        if (!mux.executor().inEventLoop()) {
            hop(this::shutdownOutput, null);
            return;
        }
        if (state == State.CLOSED || eofRequested || closeRequested) {
            return;
        }
        eofRequested = true;
        if (state == State.OPEN) {
            drain();
        }
        updateWritability();
    }

    @Override
    public void close() {
        if (!mux.executor().inEventLoop()) {
            hop(this::close, null);
            return;
        }
        if (state == State.CLOSED || closeRequested) {
            return;
        }
        if (state == State.ACCEPTING) {
            throw new IllegalStateException("channel " + localId + " is not accepted yet; reject it instead");
        }
        closeRequested = true;
        if (state == State.OPEN) {
            drain();
        }
        updateWritability();
    }

    @Override
    public Future<Boolean> sendRequest(String requestType, boolean wantReply, byte[] typeSpecificData) {
        Promise<Boolean> p = mux.executor().newPromise();
        if (!mux.executor().inEventLoop()) {
            mux.executor().execute(() -> sendRequest0(requestType, wantReply, typeSpecificData, p));
        } else {
            sendRequest0(requestType, wantReply, typeSpecificData, p);
        }
        return p;
    }

    private void sendRequest0(String requestType, boolean wantReply, byte[] data, Promise<Boolean> p) {
        if (state != State.OPEN || closeSent) {
            p.tryFailure(new ClosedChannelException());
            return;
        }
        if (eofRequested && !eofSent) {
            afterEof.add(() -> sendRequest0(requestType, wantReply, data, p));
            return;
        }
        mux.send(new ChannelRequest(remoteId, requestType, wantReply, data));
        if (wantReply) {
            replies.add(p);
        } else {
            p.trySuccess(true);
        }
    }

    // ---- ChannelOpenRequest -----------------------------------------------------------------------------------

    @Override
    public String channelType() {
        return type;
    }

    @Override
    public byte[] typeSpecificData() {
        return openData == null ? new byte[0] : openData.clone();
    }

    @Override
    public SshChannel accept(ChannelListener listener) {
        assert mux.executor().inEventLoop();
        if (answered) {
            throw new IllegalStateException("channel " + localId + " was already answered");
        }
        answered = true;
        this.listener = listener;
        openData = null;
        if (state == State.CLOSED) {
            notifyClose(); // the connection went away while the handler was deciding
            return this;
        }
        state = State.OPEN;
        mux.send(new ChannelOpenConfirmation(remoteId, localId, (int) local.max(), mux.config.maxPacket(),
                new byte[0]));
        try {
            listener.onOpen(this);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
        updateWritability();
        return this;
    }

    @Override
    public void reject(OpenFailureReason reason, String description) {
        assert mux.executor().inEventLoop();
        if (answered) {
            throw new IllegalStateException("channel " + localId + " was already answered");
        }
        answered = true;
        if (state == State.CLOSED) {
            return; // the connection went away while the handler was deciding
        }
        state = State.CLOSED;
        openData = null;
        mux.table.remove(localId, this);
        mux.send(new ChannelOpenFailure(remoteId, reason, description));
    }

    /** Whether the peer's open request was answered (accepted or rejected); true for channels we open. */
    boolean answered() {
        return answered;
    }

    // ---- Inbound, called by the ConnectionHandler -------------------------------------------------------------

    void onConfirmation(ChannelOpenConfirmation m) {
        if (state != State.OPENING) {
            throw unexpected("OPEN_CONFIRMATION");
        }
        remoteId = m.senderChannel();
        remote = new RemoteWindow(Integer.toUnsignedLong(m.initialWindowSize()),
                Integer.toUnsignedLong(m.maximumPacketSize()), mux.config.maxPacket());
        state = State.OPEN;
        Promise<SshChannel> p = openPromise;
        openPromise = null;
        try {
            listener.onOpen(this);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
        p.trySuccess(this);
        drain();
        updateWritability();
    }

    void onOpenFailure(ChannelOpenFailure m) {
        if (state != State.OPENING) {
            throw unexpected("OPEN_FAILURE");
        }
        state = State.CLOSED;
        mux.table.remove(localId, this);
        releasePending();
        Promise<SshChannel> p = openPromise;
        openPromise = null;
        p.tryFailure(new ChannelOpenException(localId, m.reasonCode(), m.description()));
    }

    void onWindowAdjust(long bytesToAdd) {
        if (state != State.OPEN) {
            throw unexpected("WINDOW_ADJUST");
        }
        if (closeSent) {
            return;
        }
        remote.expand(bytesToAdd);
        drain();
        updateWritability();
    }

    void onData(ByteBuf data) {
        if (state != State.OPEN) {
            throw unexpected("DATA");
        }
        int n = data.readableBytes();
        if (eofReceived) {
            throw SshException.disconnect(PROTOCOL_ERROR, "channel %d: rcvd data after EOF", localId);
        }
        local.receive(localId, n);
        if (closeSent) {
            return; // crossed our CLOSE; nobody reads it and no credit can follow
        }
        mux.dataReceived(this);
        try {
            listener.onData(this, data);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    void onExtendedData(int dataTypeCode, ByteBuf data) {
        if (state != State.OPEN) {
            throw unexpected("EXTENDED_DATA");
        }
        if (eofReceived) {
            throw SshException.disconnect(PROTOCOL_ERROR, "channel %d: rcvd extended data after EOF", localId);
        }
        local.receive(localId, data.readableBytes());
        if (closeSent) {
            return;
        }
        try {
            listener.onExtendedData(this, dataTypeCode, data);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    void onEof() {
        if (state != State.OPEN) {
            throw unexpected("EOF");
        }
        if (eofReceived) {
            log.debug("channel {}: rcvd second EOF, ignored", localId);
            return;
        }
        eofReceived = true;
        if (closeSent) {
            return;
        }
        try {
            listener.onEof(this);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    void onClose() {
        if (state != State.OPEN) {
            throw unexpected("CLOSE");
        }
        closeReceived = true;
        if (!closeSent) {
            releasePending();
            sendClose();
        } else {
            free();
        }
    }

    void onRequest(ChannelRequest m) {
        if (state != State.OPEN) {
            throw unexpected("REQUEST " + m.requestType());
        }
        if (closeSent) {
            return;
        }
        boolean ok;
        try {
            ok = listener.onRequest(this, m);
        } catch (RuntimeException e) {
            listenerFailed(e);
            ok = false;
        }
        if (m.wantReply() && !closeSent) {
            mux.send(ok ? new ChannelSuccess(remoteId) : new ChannelFailure(remoteId));
        }
    }

    void onRequestReply(boolean success) {
        if (state != State.OPEN) {
            throw unexpected(success ? "SUCCESS" : "FAILURE");
        }
        Promise<Boolean> p = replies.poll();
        if (p == null) {
            throw SshException.disconnect(PROTOCOL_ERROR, "channel %d: rcvd CHANNEL_%s without a request",
                    localId, success ? "SUCCESS" : "FAILURE");
        }
        p.trySuccess(success);
    }

    /** The SSH connection is gone: end the channel without any message. */
    void connectionClosed() {
        State was = state;
        if (was == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        releasePending();
        failReplies();
        if (was == State.OPENING) {
            Promise<SshChannel> p = openPromise;
            openPromise = null;
            p.tryFailure(new ClosedChannelException());
        } else if (was == State.OPEN) {
            notifyClose();
        }
        // ACCEPTING: accept() will report the close to the listener it gets.
    }

    void updateWritability() {
        boolean now = isWritable();
        if (now != writable) {
            writable = now;
            if (state == State.OPEN) {
                try {
                    listener.onWritabilityChanged(this);
                } catch (RuntimeException e) {
                    listenerFailed(e);
                }
            }
        }
    }

    // ---- internals --------------------------------------------------------------------------------------------

    /** Sends queued data as far as the send window allows, then a requested EOF and CLOSE once the queue is empty. */
    private void drain() {
        drain(pending, false);
        drain(pendingExtended, true);
        if (pending.isEmpty() && pendingExtended.isEmpty() && !closeSent) {
            if (eofRequested && !eofSent) {
                eofSent = true;
                mux.send(new ChannelEof(remoteId));
                Runnable r;
                while ((r = afterEof.poll()) != null) {
                    r.run();
                }
            }
            if (closeRequested) {
                sendClose();
            }
        }
    }

    private void drain(ArrayDeque<ByteBuf> queue, boolean extended) {
        ByteBuf head;
        while ((head = queue.peek()) != null) {
            int n = remote.reserve(head.readableBytes());
            if (n == 0) {
                break;
            }
            ByteBuf chunk = head.retainedSlice(head.readerIndex(), n);
            if (extended) {
                ChannelExtendedData m = new ChannelExtendedData(remoteId, ChannelExtendedData.STDERR, chunk);
                try {
                    mux.send(m);
                } finally {
                    m.release();
                }
            } else {
                mux.write(new ChannelData(remoteId, chunk));
            }
            head.skipBytes(n);
            if (!head.isReadable()) {
                queue.poll();
                head.release();
            }
        }
    }

    private void sendClose() {
        closeSent = true;
        mux.send(new ChannelClose(remoteId));
        if (closeReceived) {
            free();
        }
    }

    private void free() {
        state = State.CLOSED;
        mux.table.remove(localId, this);
        releasePending();
        failReplies();
        notifyClose();
    }

    private void notifyClose() {
        try {
            listener.onClose(this);
        } catch (RuntimeException e) {
            log.warn("channel {}: close listener failed", localId, e);
        }
    }

    private void releasePending() {
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            b.release();
        }
        while ((b = pendingExtended.poll()) != null) {
            b.release();
        }
    }

    private void failReplies() {
        Runnable deferred;
        while ((deferred = afterEof.poll()) != null) {
            deferred.run(); // the channel is closed now: each fails its promise
        }
        Promise<Boolean> p;
        while ((p = replies.poll()) != null) {
            p.tryFailure(new ClosedChannelException());
        }
    }

    private void listenerFailed(RuntimeException e) {
        log.warn("channel {}: listener failed, closing the channel", localId, e);
        close();
    }

    private SshException unexpected(String what) {
        return SshException.disconnect(PROTOCOL_ERROR, "channel %d: rcvd CHANNEL_%s in state %s", localId, what,
                state);
    }

    private void hop(Runnable task, ByteBuf owned) {
        try {
            mux.executor().execute(task);
        } catch (RuntimeException e) {
            ReferenceCountUtil.safeRelease(owned); // the loop is shut down: the connection is gone
        }
    }
}
