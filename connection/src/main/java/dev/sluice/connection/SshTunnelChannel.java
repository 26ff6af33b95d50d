package dev.sluice.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
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
final class SshTunnelChannel extends ConnectedChannel implements ChannelListener {
    private final SocketAddress local;
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
        super(carrier.parent(), host, port, "a tunnel channel");
        this.local = carrier.parent().localAddress();
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
            writeQueued();
        }
    }

    // ---- Netty channel ----------------------------------------------------------------------------------------



    @Override
    protected SocketAddress localAddress0() {
        return local;
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
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && ssh != null && ssh.isOpen();
    }
}
