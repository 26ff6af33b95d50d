package dev.sluice.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What the transport layer knows about one connection once it is up: the versions exchanged, the session identifier
 * and the algorithms negotiated. Shared by the handlers of one pipeline and read by the layers above.
 *
 * <p>Confined to the connection's event loop while the connection is being set up; afterwards the fields set once
 * ({@link #sessionId()}, versions) are safe to read from anywhere, since they are published through the channel's
 * futures.
 */
public final class TransportSession {
    private static final AttributeKey<TransportSession> KEY = AttributeKey.valueOf(TransportSession.class, "session");

    /** The user event {@link #requestRekey()} sends down the pipeline to the key exchange handler. */
    static final Object REKEY_REQUEST = new Object();

    private final Role role;
    private volatile Channel channel;
    private volatile int keyExchanges;
    private final String localVersion;
    private volatile String peerVersion;
    private volatile byte[] sessionId;
    private volatile byte[] initialHostKey;
    private volatile byte[] initialHostKeySignature;
    private volatile Negotiated negotiated;
    private volatile String peerHost;
    private volatile int peerPort;
    private volatile TransportClosed closed;
    private volatile LongSupplier sentBytes = () -> 0;
    private volatile LongSupplier receivedBytes = () -> 0;

    public TransportSession(Role role, String localVersion) {
        this.role = role;
        this.localVersion = localVersion;
    }

    /** The session of an SSH socket whose pipeline {@link TransportPipeline#install} built, or null. */
    public static TransportSession of(Channel channel) {
        return channel.attr(KEY).get();
    }

    void countBytes(LongSupplier sent, LongSupplier received) {
        this.sentBytes = sent;
        this.receivedBytes = received;
    }

    /**
     * The bytes of SSH packets sent so far (after the version line), as ssh's "Transferred: sent N" counts them. Exact
     * on the event loop or once the connection has closed; from another thread meanwhile, a recent value.
     */
    public long bytesSent() {
        return sentBytes.getAsLong();
    }

    /** The bytes of SSH packets received so far; as {@link #bytesSent()}. */
    public long bytesReceived() {
        return receivedBytes.getAsLong();
    }

    void attachTo(Channel channel) {
        channel.attr(KEY).set(this);
        this.channel = channel;
    }

    /** How many key exchanges have completed on this connection: 1 after the first, plus one per rekey. */
    public int keyExchanges() {
        return keyExchanges;
    }

    void keyExchangeCompleted() {
        keyExchanges++;
    }

    /**
     * Starts a key exchange now (a rekey), as RekeyLimit would; does nothing while one is running or before the first
     * has completed. Safe to call from any thread; the exchange runs on the connection's event loop, and
     * {@link #keyExchanges()} counts it once done.
     */
    public void requestRekey() {
        Channel c = channel;
        if (c != null) {
            c.pipeline().fireUserEventTriggered(REKEY_REQUEST);
        }
    }

    /**
     * Replaces the RekeyLimit for the rest of the connection, as sshd applies a Match block's RekeyLimit once the
     * user is known: the volume counts from the last key exchange, the time from now. Safe to call from any thread.
     */
    public void rekeyLimit(RekeyLimit limit) {
        Channel c = channel;
        if (c != null) {
            c.pipeline().fireUserEventTriggered(new RekeyLimitChange(limit));
        }
    }

    /** The event that carries {@link #rekeyLimit(RekeyLimit)} to the key exchange handler. */
    record RekeyLimitChange(RekeyLimit limit) {
    }

    public Role role() {
        return role;
    }

    /** Our identification string without CR LF, e.g. {@code SSH-2.0-Sluice_0.1}. */
    public String localVersion() {
        return localVersion;
    }

    /** The peer's identification string without CR LF, once received. */
    public String peerVersion() {
        return peerVersion;
    }

    /** The client's version string, V_C of the exchange hash. */
    public String clientVersion() {
        return role == Role.CLIENT ? localVersion : peerVersion;
    }

    /** The server's version string, V_S of the exchange hash. */
    public String serverVersion() {
        return role == Role.SERVER ? localVersion : peerVersion;
    }

    /** H of the first key exchange (RFC 4253 section 7.2); a copy, empty before the first exchange completes. */
    public byte[] sessionId() {
        byte[] id = sessionId;
        return id == null ? new byte[0] : id.clone();
    }

    /**
     * On a client, the server's host key blob of the first key exchange; empty on a server or before it completes.
     * With {@link #initialHostKeySignature()} and {@link #sessionId()}, what ssh binds an agent connection to
     * (PROTOCOL.agent, session-bind@openssh.com).
     */
    public byte[] initialHostKey() {
        byte[] k = initialHostKey;
        return k == null ? new byte[0] : k.clone();
    }

    /** On a client, the server's signature blob of H in the first key exchange; empty on a server or before. */
    public byte[] initialHostKeySignature() {
        byte[] s = initialHostKeySignature;
        return s == null ? new byte[0] : s.clone();
    }

    /** The algorithms of the latest key exchange. */
    public Optional<Negotiated> negotiated() {
        return Optional.ofNullable(negotiated);
    }

    /** Host name or address the peer is known by (what the client connected to, or the server's view). */
    public String peerHost() {
        return peerHost;
    }

    public int peerPort() {
        return peerPort;
    }

    void peerVersion(String v) {
        this.peerVersion = v;
    }

    void initialHostKeyIfUnset(byte[] hostKey, byte[] signature) {
        if (initialHostKey == null) {
            initialHostKeySignature = signature.clone();
            initialHostKey = hostKey.clone();
        }
    }

    void sessionIdIfUnset(byte[] h) {
        if (sessionId == null) {
            sessionId = h.clone();
        }
    }

    void negotiated(Negotiated n) {
        this.negotiated = n;
    }

    /** Why the connection ended, once a side disconnected for a reason (empty after a plain socket close). */
    public Optional<TransportClosed> closed() {
        return Optional.ofNullable(closed);
    }

    /** Records why the connection is ending; the first reason wins, as it is the cause of the rest. */
    public void closedIfUnset(TransportClosed reason) {
        if (closed == null) {
            closed = reason;
        }
    }

    /** Sets how the peer is addressed, for host key checks and log lines. */
    public void peer(String host, int port) {
        this.peerHost = host;
        this.peerPort = port;
    }
}
