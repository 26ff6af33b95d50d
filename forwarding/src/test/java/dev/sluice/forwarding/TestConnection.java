package dev.sluice.forwarding;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Optional;

/**
 * An SshConnection for handler tests: its parent is a test channel (usually an EmbeddedChannel), closing closes that,
 * and every request a test does not expect throws. Tests that open channels override {@link #openChannel}.
 */
class TestConnection implements SshConnection {
    private final Channel parent;

    TestConnection(Channel parent) {
        this.parent = parent;
    }

    @Override
    public Channel parent() {
        return parent;
    }

    @Override
    public ConnectionConfig config() {
        return ConnectionConfig.DEFAULT;
    }

    @Override
    public Future<SshChannel> openChannel(String type, byte[] data, ChannelListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Future<List<SshChannel>> openChannels() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Future<Optional<byte[]>> sendGlobalRequest(String name, boolean wantReply, byte[] data) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String user() {
        return "test";
    }

    @Override
    public void registerGlobalRequestHandler(String requestName, GlobalRequestHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void registerOpenHandler(String channelType, ChannelOpenHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void flushSoon() {
    }

    @Override
    public ChannelFuture close() {
        return parent.close();
    }

    @Override
    public ChannelFuture closeFuture() {
        return parent.closeFuture();
    }
}
