package dev.sluice.transport;

import dev.sluice.transport.message.Disconnect;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * Builds the transport part of an SSH pipeline (version exchange, packet decoder and encoder, key exchange) and the
 * error handler that must close every pipeline. The layers above are added between the two by the caller:
 *
 * <pre>
 * socket ─ version ─ packet-decoder ─ packet-encoder ─ kex ─ (auth) ─ (connection) ─ disconnect-on-error
 * </pre>
 */
public final class TransportPipeline {
    public static final String KEX = "kex";

    private TransportPipeline() {
    }

    /**
     * Adds the transport handlers to {@code pipeline} for one new connection and returns what the layers above need to
     * know about it. Call before the channel becomes active (from a ChannelInitializer).
     */
    public static TransportSession install(ChannelPipeline pipeline, Role role, TransportConfig config) {
        TransportSession session = new TransportSession(role, config.versionLine());
        session.attachTo(pipeline.channel());
        PacketCompression compression = new PacketCompression(role);
        PacketDecoder decoder = new PacketDecoder(compression);
        PacketEncoder encoder = new PacketEncoder(compression);
        session.countBytes(encoder::bytesTotal, decoder::bytesTotal);
        pipeline.addLast("version", new VersionExchangeHandler(session));
        pipeline.addLast("packet-decoder", decoder);
        pipeline.addLast("packet-encoder", encoder);
        pipeline.addLast(KEX, new KeyExchangeHandler(config, session, decoder, encoder));
        return session;
    }

    /**
     * Ends the connection politely: SSH_MSG_DISCONNECT with {@code reason} and {@code message}, then a close once it
     * is written (as ssh does on exit with "disconnected by user"). Safe to call from any thread.
     */
    public static io.netty.channel.ChannelFuture disconnect(io.netty.channel.Channel channel, DisconnectReason reason,
            String message) {
        TransportSession session = TransportSession.of(channel);
        if (session != null) {
            session.closedIfUnset(new TransportClosed(reason, message, true));
        }
        if (session == null || session.peerVersion() == null || !channel.isActive()) {
            return channel.close();
        }
        return channel.writeAndFlush(new Disconnect(reason, message, "").toPayload(channel.alloc()))
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    /** The handler that must be last in the pipeline: it turns errors into DISCONNECT and a close. */
    public static ChannelHandler newDisconnectOnErrorHandler(TransportSession session) {
        return new DisconnectOnErrorHandler(session);
    }
}
