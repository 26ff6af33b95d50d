package dev.sluice.benchmarks.setup;

import dev.sluice.connection.ChannelListener;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshChannel;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.DirectTcpip;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.SshKeyPair;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Full connections with Sluice's client API, on one event loop per parallel loop (at most one per core). */
final class SluiceConnector implements SetupClient.Connector {
    private static final long TIMEOUT_SECONDS = 30;

    private final SshClient client;
    private final SshClient.Target target;
    private final byte[] directTcpip;

    SluiceConnector(int port, Path key, String cipher, int targetPort, int parallel) throws IOException {
        SshKeyPair identity = OpenSshKeyFile.read(key, () -> new char[0]);
        int loops = Math.min(parallel, Runtime.getRuntime().availableProcessors());
        this.client = new SshClient(NettyTransports.newEventLoopGroup(loops, "setup-client"));
        // The same algorithms for every peer: Sluice's own default would be mlkem768x25519-sha256.
        TransportConfig transport = TransportConfig.defaults().withCiphers(List.of(cipher))
                .withKexAlgorithms(List.of("curve25519-sha256")).withHostKeyAlgorithms(List.of("ssh-ed25519"));
        this.target = SshClient.Target.of("127.0.0.1", port, System.getProperty("user.name"), List.of(identity))
                .withTransport(transport);
        this.directTcpip = new DirectTcpip("127.0.0.1", targetPort, "127.0.0.1", 0).encode();
    }

    /**
     * One connection, driven by listeners on its event loop from connect to close, so that the calling thread wakes
     * once per connection rather than at every step (each wake-up is a context switch that costs as much as a step).
     */
    @Override
    public void connectOnce() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        client.connect(target).addListener(connecting -> {
            if (!connecting.isSuccess()) {
                done.completeExceptionally(connecting.cause());
                return;
            }
            SshConnection connection = (SshConnection) connecting.getNow();
            connection.closeFuture().addListener(closed -> done.complete(null));
            connection.openChannel(DirectTcpip.CHANNEL_TYPE, directTcpip, new ChannelListener() {
                @Override
                public void onOpen(SshChannel channel) {
                    channel.close();
                }

                @Override
                public void onData(SshChannel channel, ByteBuf data) {
                    channel.consumed(data.readableBytes());
                }

                @Override
                public void onClose(SshChannel channel) {
                    TransportPipeline.disconnect(connection.parent(), DisconnectReason.BY_APPLICATION,
                            "disconnected by user");
                }
            }).addListener(opening -> {
                if (!opening.isSuccess()) {
                    done.completeExceptionally(opening.cause());
                    connection.close();
                }
            });
        });
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        client.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
