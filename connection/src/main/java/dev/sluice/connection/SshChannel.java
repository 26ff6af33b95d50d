package dev.sluice.connection;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

/**
 * One channel of an SSH connection (RFC 4254 section 5), as seen by the code that uses it: a forwarded socket, a
 * session, a test.
 *
 * <p><b>Threading:</b> the channel lives on its connection's event loop, and its {@link ChannelListener} is called
 * there. {@link #write}, {@link #consumed}, {@link #shutdownOutput} and {@link #close} may be called from any thread:
 * off the loop they are handed to it. The queries answer for the moment they are called and are meant for the loop.
 *
 * <p><b>Flow control:</b> outgoing data is cut into packets of {@code min(send window, peer max packet)}; what does
 * not fit waits in a per-channel queue until WINDOW_ADJUST. A data source should write only while
 * {@link #isWritable()} and resume on {@link ChannelListener#onWritabilityChanged}. Incoming data is credited back to
 * the peer only as the receiver reports it {@link #consumed}.
 */
public interface SshChannel {
    /** Our channel number, the one the peer uses as recipient (and the N of OpenSSH's "channel N:" log lines). */
    int localId();

    /** The peer's channel number, or -1 while the open is not confirmed. */
    int remoteId();

    /** The channel type, e.g. {@code direct-tcpip}. */
    String type();

    SshConnection connection();

    /** Until both sides' CLOSE have passed or the connection is gone. */
    boolean isOpen();

    /**
     * True when a write now would go out at once: the channel is open, our EOF or CLOSE was not requested, nothing is
     * queued, the peer's window has room, and the SSH socket itself is writable.
     */
    boolean isWritable();

    /** Bytes the peer may still receive (the send window). */
    long sendWindow();

    /**
     * The most the peer may have in flight to us on this channel: the initial window, or more once the connection's
     * window tuning has grown it (see {@link ConnectionConfig#maxWindow()}).
     */
    long receiveWindowSize();

    /**
     * Sends the readable bytes of {@code data} as CHANNEL_DATA, queueing what the window does not allow yet. Takes
     * ownership of {@code data}; after EOF or CLOSE, or on a closed channel, the data is released and dropped.
     */
    void write(ByteBuf data);

    /**
     * Sends the readable bytes of {@code data} as CHANNEL_EXTENDED_DATA of type {@code dataTypeCode} (1, stderr, is the
     * only type defined), sharing the send window and the queue rules of {@link #write}. Takes ownership of
     * {@code data}.
     */
    void writeExtended(int dataTypeCode, ByteBuf data);

    /**
     * Credits {@code bytes} received bytes back to the peer once they have left our hands (written to their
     * destination). Every byte passed to {@link ChannelListener#onData} must be consumed once, or the peer stalls.
     */
    void consumed(int bytes);

    /** Sends CHANNEL_EOF (a half-close) after any queued data; later writes are dropped. */
    void shutdownOutput();

    /** Sends CHANNEL_CLOSE after any queued data (and EOF, if requested); the channel ends when the peer's CLOSE arrives. */
    void close();

    /**
     * Sends a CHANNEL_REQUEST. With {@code wantReply} the future tells whether the peer answered SUCCESS; without, it
     * completes with true once the request is written. Fails if the channel closes first. A request made after
     * {@link #shutdownOutput} goes out after the EOF (as sshd sends exit-status after the session's EOF).
     */
    Future<Boolean> sendRequest(String requestType, boolean wantReply, byte[] typeSpecificData);
}
