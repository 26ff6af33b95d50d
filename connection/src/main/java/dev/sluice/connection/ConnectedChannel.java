package dev.sluice.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What the Netty channels that carry an SSH connection without a socket of their own ({@link SshTunnelChannel} for
 * {@code -J}, {@link StreamChannel} for ProxyCommand) have in common: connected from the start, ByteBufs only, the SSH
 * socket's water marks, no I/O of their own on the event loop, and an unsafe that resumes flushing when the carrier
 * can take more.
 */
abstract class ConnectedChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final InetSocketAddress remote;
    /** What this channel is called in error messages ("a tunnel channel"). */
    private final String kind;

    /**
     * @param parent the channel this one belongs to, or null
     * @param host the host the carrier leads to, for {@link #remoteAddress()} (unresolved)
     * @param kind what this channel is called in error messages
     */
    ConnectedChannel(Channel parent, String host, int port, String kind) {
        super(parent);
        this.remote = InetSocketAddress.createUnresolved(host, port);
        this.kind = kind;
        config.setWriteBufferWaterMark(NettyTransports.SSH_WATER_MARK);
    }

    /** Writes what waits in the outbound buffer, once the carrier can take more. Event loop only. */
    final void writeQueued() {
        ((ConnectedUnsafe) unsafe()).writeQueued();
    }

    @Override
    protected final AbstractUnsafe newUnsafe() {
        return new ConnectedUnsafe();
    }

    @Override
    protected final boolean isCompatible(EventLoop loop) {
        return true; // no I/O of its own on the loop: its carrier does that
    }

    @Override
    protected final SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected final void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException(kind + " is connected from the start");
    }

    @Override
    protected final void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected final Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        ReferenceCountUtil.release(msg);
        throw new UnsupportedOperationException(kind + " carries ByteBufs only, not " + msg.getClass());
    }

    @Override
    public final ChannelConfig config() {
        return config;
    }

    @Override
    public final ChannelMetadata metadata() {
        return METADATA;
    }

    /** The unsafe that refuses connect and can resume writing. */
    private final class ConnectedUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException(kind + " is connected from the start"));
        }

        void writeQueued() {
            if (isActive()) {
                flush0();
            }
        }
    }
}
