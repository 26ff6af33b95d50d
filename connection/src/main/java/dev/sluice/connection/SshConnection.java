package dev.sluice.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Optional;

/**
 * An authenticated SSH connection as its users see it: a place to open channels, send global requests and register
 * handlers for the channels the peer opens. Obtained from {@link ConnectionHandler#connection()}.
 *
 * <p><b>Threading:</b> everything of one connection runs on {@link #eventLoop()}. The methods here may be called from
 * any thread; off the loop they hop onto it and report through the returned future.
 */
public interface SshConnection {
    /** The Netty channel of the SSH socket. */
    Channel parent();

    /** The loop that runs this connection; sockets it forwards to should be registered on it too. */
    default EventLoop eventLoop() {
        return parent().eventLoop();
    }

    ConnectionConfig config();

    /**
     * Opens a channel: sends CHANNEL_OPEN with our window and packet size. The future succeeds with the open channel
     * (after {@link ChannelListener#onOpen}) or fails with a {@link ChannelOpenException} when the peer refuses, or
     * with another exception when the connection is gone or has too many channels.
     */
    Future<SshChannel> openChannel(String channelType, byte[] typeSpecificData, ChannelListener listener);

    /**
     * Sends a GLOBAL_REQUEST. With {@code wantReply} the future holds the response data of REQUEST_SUCCESS, or is
     * empty on REQUEST_FAILURE; without, it completes empty once written.
     */
    Future<Optional<byte[]>> sendGlobalRequest(String requestName, boolean wantReply, byte[] requestData);

    /** The channels open now (or opening), by local id, for ssh's {@code ~#} listing. */
    Future<List<SshChannel>> openChannels();

    /**
     * The user name this connection authenticated as: on a server the client's, on a client ours. Null before
     * authentication (or for a connection handler used without it, as in tests).
     */
    String user();

    /** Handles the peer's GLOBAL_REQUESTs named {@code requestName} from now on (replacing an earlier handler). */
    void registerGlobalRequestHandler(String requestName, GlobalRequestHandler handler);

    /** Handles the peer's CHANNEL_OPENs of {@code channelType} from now on (replacing an earlier handler). */
    void registerOpenHandler(String channelType, ChannelOpenHandler handler);

    /** Asks for a flush of the SSH socket at the end of the current event-loop turn (coalescing many writers). */
    void flushSoon();

    /** Closes the SSH socket; every channel ends with {@link ChannelListener#onClose}. */
    ChannelFuture close();

    ChannelFuture closeFuture();
}
