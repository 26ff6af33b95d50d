package dev.sluice.forwarding;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.message.OpenFailureReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SOCKS server of reverse dynamic forwarding ({@code ssh -R [bind_address:]port}, OpenSSH 7.6+) on one accepted
 * {@code forwarded-tcpip} channel. The SOCKS client is whoever connected to the server's listener, so its handshake
 * arrives as CHANNEL_DATA: this runs the {@link SocksServerHandshake} over it, connects from here to the host and
 * port it asks for if ssh_config's PermitRemoteOpen allows it, answers with the outcome (a destination PermitRemoteOpen
 * does not list, or a refused or unreachable target, becomes the matching SOCKS error, then the channel closes), and
 * hands the channel to a {@link SocketChannelBridge} with the new socket.
 *
 * <h3>Bounds and credit</h3>
 * As on the {@code -D} side: the handshake decides once {@link SocksServerHandshake#MAX_HANDSHAKE_BYTES} have
 * arrived, so at most that plus one packet is buffered while it runs, and a client that has not sent its request
 * within the handshake timeout loses the channel. Handshake bytes are credited back to the peer as soon as they are
 * decoded; bytes the client sends ahead of the reply are kept (the channel window bounds them) and credited when the
 * socket has taken them.
 *
 * <p>Runs on the connection's event loop, like the socket it connects.
 */
final class ChannelSocksServer implements ChannelListener {
    private static final Logger log = LoggerFactory.getLogger(ChannelSocksServer.class);

    private final long handshakeTimeoutMillis;
    private final PermitList permitRemoteOpen;
    private final SocksServerHandshake handshake = new SocksServerHandshake();
    private final SocketChannelBridge bridge = new SocketChannelBridge();
    /** Channel data not yet decoded by the handshake; after the request, what the client sent ahead of the reply. */
    private ByteBuf input;
    private ScheduledFuture<?> timeout;
    private SocksRequest request;
    /** The socket to the requested destination, from the start of the connect. */
    private Channel socket;
    /** The bridge has the channel: every event goes to it. */
    private boolean bridged;
    /** The peer sent EOF while the destination was being connected. */
    private boolean eofWhileConnecting;
    /** The handshake failed, timed out or found no destination: the channel is closing, data is only credited. */
    private boolean refused;

    /**
     * @param handshakeTimeoutMillis how long the SOCKS client may take to send its complete request
     * @param permitRemoteOpen ssh_config's PermitRemoteOpen: the destinations this side may connect to
     */
    ChannelSocksServer(long handshakeTimeoutMillis, PermitList permitRemoteOpen) {
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.permitRemoteOpen = permitRemoteOpen;
    }

    @Override
    public void onOpen(SshChannel channel) {
        timeout = channel.connection().eventLoop().schedule(() -> {
            log.info("channel {}: SOCKS client sent no complete request within {} ms, closing", channel.localId(),
                    handshakeTimeoutMillis);
            giveUp(channel);
        }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onData(SshChannel channel, ByteBuf data) {
        if (bridged) {
            bridge.onData(channel, data);
            return;
        }
        if (refused) {
            channel.consumed(data.readableBytes());
            return;
        }
        if (input == null) {
            input = channel.connection().parent().alloc().buffer(data.readableBytes());
        }
        input.writeBytes(data);
        if (request != null) {
            return; // sent ahead of our reply: goes to the socket once connected
        }
        ByteBuf out = channel.connection().parent().alloc().buffer(2);
        int start = input.readerIndex();
        try {
            request = handshake.decode(input, out);
        } catch (SocksException e) {
            log.info("channel {}: SOCKS client: {}", channel.localId(), e.getMessage());
            // What was answered before the bad message (a SOCKS5 method selection) goes out first.
            out.writeBytes(e.reply());
            send(channel, out);
            giveUp(channel);
            return;
        }
        channel.consumed(input.readerIndex() - start);
        send(channel, out);
        if (request != null) {
            timeout.cancel(false);
            connect(channel, request);
        }
    }

    private void connect(SshChannel channel, SocksRequest r) {
        log.debug("channel {}: dynamic request: socks{} host {} port {}", channel.localId(), r.version(), r.host(),
                r.port());
        if (!permitRemoteOpen.permitsOpen(r.host(), r.port())) {
            // ssh's words (it then closes without a SOCKS reply; a client is better told "not allowed").
            log.info("channel {}: rdynamic_connect_finish: requested forward not permitted: host {} port {}"
                    + " (PermitRemoteOpen {})", channel.localId(), r.host(), r.port(), permitRemoteOpen);
            reply(channel, SocksReply.NOT_ALLOWED_BY_RULESET);
            giveUp(channel);
            return;
        }
        socket = OutboundConnect.connect(channel.connection().eventLoop(), bridge, r.host(), r.port())
                .addListener((ChannelFutureListener) f -> {
                    if (!channel.isOpen()) {
                        f.channel().close(); // the channel ended while connecting (onClose released the rest)
                    } else if (f.isSuccess()) {
                        reply(channel, SocksReply.SUCCEEDED);
                        startBridge(channel);
                    } else {
                        String why = NettyTransports.describeConnectFailure(f.cause());
                        log.info("channel {}: connect_to {} port {}: failed: {}", channel.localId(), r.host(),
                                r.port(), why);
                        reply(channel, SocksReply.forOpenFailure(OpenFailureReason.CONNECT_FAILED.code(), why));
                        giveUp(channel);
                    }
                }).channel();
    }

    /** The reply goes out before anything the socket sends; from here on the bridge has the channel. */
    private void startBridge(SshChannel channel) {
        bridged = true;
        ByteBuf ahead = input;
        input = null;
        if (ahead != null) {
            if (ahead.isReadable()) {
                bridge.onData(channel, ahead); // credited once the socket has written it
            }
            ahead.release();
        }
        bridge.onOpen(channel);
        if (eofWhileConnecting) {
            bridge.onEof(channel);
        }
    }

    private void reply(SshChannel channel, SocksReply reply) {
        ByteBuf out = channel.connection().parent().alloc().buffer(10);
        handshake.writeReply(reply, out);
        channel.write(out);
    }

    @Override
    public void onEof(SshChannel channel) {
        if (bridged) {
            bridge.onEof(channel);
        } else if (request == null) {
            log.debug("channel {}: SOCKS client closed before completing its request", channel.localId());
            giveUp(channel);
        } else {
            eofWhileConnecting = true;
        }
    }

    @Override
    public void onClose(SshChannel channel) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        releaseInput();
        if (bridged) {
            bridge.onClose(channel);
        } else if (socket != null) {
            socket.close(); // stops a connect still under way
        }
    }

    @Override
    public void onWritabilityChanged(SshChannel channel) {
        if (bridged) {
            bridge.onWritabilityChanged(channel);
        }
    }

    /** Closes the channel (after what was written to it) without a destination; later data is only credited. */
    private void giveUp(SshChannel channel) {
        refused = true;
        timeout.cancel(false);
        releaseInput();
        channel.close();
    }

    /** Writes {@code out} to the channel if it holds anything; releases it otherwise. */
    private static void send(SshChannel channel, ByteBuf out) {
        if (out.isReadable()) {
            channel.write(out);
        } else {
            out.release();
        }
    }

    private void releaseInput() {
        if (input != null) {
            input.release();
            input = null;
        }
    }
}
