package dev.sluice.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A Netty {@link io.netty.channel.Channel} whose bytes are the data of an SSH channel: the socket of a connection that
 * runs inside another one ({@code ssh -J}: the next hop's SSH connection inside a {@code direct-tcpip} channel of the
 * previous one), without a local socket in between. The whole transport pipeline runs on it as on a TCP socket.
 *
 * <p>It lives on the event loop of the connection that carries it. Writes go to {@link SshChannel#write} while that
 * channel {@linkplain SshChannel#isWritable() is writable} (send window open, carrying socket writable); otherwise
 * they wait in Netty's outbound buffer, whose water marks make this channel unwritable in turn, so the inner
 * connection pauses its own sources exactly as it would on a full socket. Incoming CHANNEL_DATA is fired down the
 * pipeline as it arrives (the transport's decoder reads everything it is given; reading is not paused) and credited
 * back once the pipeline has taken it. EOF or CLOSE from the carrying channel close this channel; closing this channel
 * closes the carrying one.
 */
final class SshTunnelChannel extends AbstractChannel implements ChannelListener {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final SocketAddress local;
    private final InetSocketAddress remote;
    private SshChannel ssh;
    private boolean open = true;

    /**
     * An unregistered channel; it registers itself on the carrier's loop, and becomes active, when the carrying
     * channel it is the {@link ChannelListener} of opens.
     *
     * @param carrier the connection whose channel carries this one (its socket is this channel's parent)
     * @param host the host the carrying channel leads to, for {@link #remoteAddress()}
     */
    SshTunnelChannel(SshConnection carrier, String host, int port) {
        super(carrier.parent());
        this.local = carrier.parent().localAddress();
        this.remote = InetSocketAddress.createUnresolved(host, port);
        config.setWriteBufferWaterMark(NettyTransports.SSH_WATER_MARK);
    }

    // ---- the carrying SSH channel -----------------------------------------------------------------------------

    @Override
    public void onOpen(SshChannel channel) {
        ssh = channel;
        // Registering on the loop we are on completes at once, and fires channelActive since isActive() is true.
        channel.connection().eventLoop().register(this).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
    }

    @Override
    public void onData(SshChannel channel, ByteBuf data) {
        int n = data.readableBytes();
        if (isActive()) {
            pipeline().fireChannelRead(data.retain());
            pipeline().fireChannelReadComplete();
        }
        channel.consumed(n);
    }

    @Override
    public void onEof(SshChannel channel) {
        close();
    }

    @Override
    public void onClose(SshChannel channel) {
        if (isRegistered()) {
            close();
        }
        open = false;
    }

    @Override
    public void onWritabilityChanged(SshChannel channel) {
        if (channel.isWritable() && isRegistered()) {
            ((TunnelUnsafe) unsafe()).writeQueued();
        }
    }

    // ---- Netty channel ----------------------------------------------------------------------------------------

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new TunnelUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true; // no I/O of its own: any loop can run it (it is registered on its carrier's)
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a tunnel channel is connected from the start");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        open = false;
        if (ssh != null) {
            ssh.close();
        }
    }

    @Override
    protected void doBeginRead() {
        // Data is delivered as the carrying channel receives it; its window bounds how much can arrive.
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null && ssh.isWritable()) {
            ByteBuf data = (ByteBuf) msg;
            if (data.isReadable()) {
                ssh.write(data.retain());
            }
            in.remove();
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        ReferenceCountUtil.release(msg);
        throw new UnsupportedOperationException("a tunnel channel carries ByteBufs only, not " + msg.getClass());
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && ssh != null && ssh.isOpen();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    /** The unsafe that can resume writing what waited for the carrying channel's window. */
    private final class TunnelUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a tunnel channel is connected from the start"));
        }

        void writeQueued() {
            if (!isActive()) {
                return;
            }
            flush0();
        }
    }
}
