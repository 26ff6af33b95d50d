package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.Role;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.SshKeyPair;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sluice client against Sluice server over real loopback sockets: version exchange, key exchange with each cipher,
 * publickey authentication, then payloads both ways; and the refusals a hostile client meets.
 */
class LoopbackAuthTest {
    private static EventLoopGroup group;
    private static final SshKeyPair HOST_KEY = SshKeyPair.generateEd25519("host");
    private static final SshKeyPair USER_KEY = SshKeyPair.generateEd25519("user");
    private static final SshKeyPair STRANGER_KEY = SshKeyPair.generateEd25519("stranger");

    private final BlockingQueue<byte[]> serverReceived = new LinkedBlockingQueue<>();
    private final AtomicReference<TransportSession> serverSession = new AtomicReference<>();

    @BeforeAll
    static void startLoop() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Echoes every payload that passes authentication, so the client sees what the server's upper layer got. */
    private final class EchoLayer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf payload = (ByteBuf) msg;
            serverReceived.add(ByteBufUtil.getBytes(payload));
            ctx.writeAndFlush(payload);
        }
    }

    private Channel startServer(TransportConfig config) {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TransportSession session = TransportPipeline.install(ch.pipeline(), Role.SERVER, config);
                        session.peer(ch.remoteAddress().getAddress().getHostAddress(), ch.remoteAddress().getPort());
                        serverSession.set(session);
                        Promise<AuthenticatedUser> user = ch.eventLoop().newPromise();
                        PublicKeyAuthenticator keys = (u, k) -> k.equals(USER_KEY.publicKey());
                        ch.pipeline().addLast(new UserAuthServerHandler(session, keys, ServerAuthConfig.PUBLICKEY_ONLY,
                                6, 120, user));
                        ch.pipeline().addLast(new EchoLayer());
                        ch.pipeline().addLast(TransportPipeline.newDisconnectOnErrorHandler(session));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    private record Client(Channel channel, TransportSession session, Promise<Void> auth,
            BlockingQueue<byte[]> received) {
    }

    private Client connect(Channel server, TransportConfig config, List<SshKeyPair> identities) {
        AtomicReference<TransportSession> session = new AtomicReference<>();
        AtomicReference<Promise<Void>> auth = new AtomicReference<>();
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TransportSession s = TransportPipeline.install(ch.pipeline(), Role.CLIENT, config);
                        s.peer("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
                        session.set(s);
                        Promise<Void> p = ch.eventLoop().newPromise();
                        auth.set(p);
                        if (identities != null) {
                            ch.pipeline().addLast(new UserAuthClientHandler(s, "tester", identities,
                                    ClientAuthConfig.DEFAULT, b -> { }, p));
                        }
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                received.add(ByteBufUtil.getBytes(b));
                                b.release();
                            }
                        });
                        ch.pipeline().addLast(TransportPipeline.newDisconnectOnErrorHandler(s));
                    }
                })
                .connect(server.localAddress()).syncUninterruptibly().channel();
        return new Client(ch, session.get(), auth.get(), received);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"})
    void clientAuthenticatesAndPayloadsFlowBothWays(String cipher) throws Exception {
        TransportConfig serverConfig = TransportConfig.defaults().withHostKeys(List.of(HOST_KEY));
        Channel server = startServer(serverConfig);
        try {
            Client client = connect(server, TransportConfig.defaults().withCiphers(List.of(cipher)),
                    List.of(STRANGER_KEY, USER_KEY));
            assertThat(client.auth().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.auth().isSuccess()).as("%s", client.auth().cause()).isTrue();
            assertThat(client.session().negotiated()).get()
                    .satisfies(n -> {
                        assertThat(n.cipherClientToServer()).isEqualTo(cipher);
                        assertThat(n.strictKex()).isTrue();
                        assertThat(n.kex()).isEqualTo("mlkem768x25519-sha256");
                    });
            byte[] big = new byte[30000];
            big[0] = 94;
            client.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {98, 1, 2})).sync();
            client.channel().writeAndFlush(Unpooled.wrappedBuffer(big)).sync();
            assertThat(serverReceived.poll(5, TimeUnit.SECONDS)).containsExactly(98, 1, 2);
            assertThat(serverReceived.poll(5, TimeUnit.SECONDS)).isEqualTo(big);
            assertThat(client.received().poll(5, TimeUnit.SECONDS)).containsExactly(98, 1, 2);
            assertThat(client.received().poll(5, TimeUnit.SECONDS)).isEqualTo(big);
            client.channel().close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void anUnknownMessageNumberIsAnsweredNotFatal() throws Exception {
        Channel server = startServer(TransportConfig.defaults().withHostKeys(List.of(HOST_KEY)));
        try {
            Client client = connect(server, TransportConfig.defaults(), List.of(USER_KEY));
            assertThat(client.auth().await(10, TimeUnit.SECONDS)).isTrue();
            client.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 150, 1})).sync();
            client.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {98, 7})).sync();
            // The server answered 150 with UNIMPLEMENTED (consumed by the client's transport) and carried on.
            assertThat(serverReceived.poll(5, TimeUnit.SECONDS)).containsExactly(98, 7);
            assertThat(client.received().poll(5, TimeUnit.SECONDS)).containsExactly(98, 7);
            assertThat(client.channel().isActive()).isTrue();
            client.channel().close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void unknownKeyIsPermissionDenied() throws Exception {
        Channel server = startServer(TransportConfig.defaults().withHostKeys(List.of(HOST_KEY)));
        try {
            Client client = connect(server, TransportConfig.defaults(), List.of(STRANGER_KEY));
            assertThat(client.auth().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.auth().cause()).isInstanceOf(AuthenticationException.class)
                    .hasMessage("Permission denied (publickey).");
            client.channel().closeFuture().await(5, TimeUnit.SECONDS);
        } finally {
            server.close().sync();
        }
    }

    @Test
    void channelDataBeforeAuthenticationIsAProtocolErrorDisconnect() throws Exception {
        Channel server = startServer(TransportConfig.defaults().withHostKeys(List.of(HOST_KEY)));
        try {
            // A client without an authentication layer: once keys are in place it sends CHANNEL_DATA instead.
            Client client = connect(server, TransportConfig.defaults(), null);
            for (int i = 0; i < 250 && client.session().negotiated().isEmpty(); i++) {
                Thread.sleep(20);
            }
            client.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {94, 0, 0, 0, 0, 0, 0, 0, 1, 'x'}));
            assertThat(client.channel().closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(client.session().closed()).get().satisfies(c -> {
                assertThat(c.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
                assertThat(c.local()).isFalse();
            });
            assertThat(serverSession.get().closed()).get().extracting(TransportClosed::message)
                    .asString().contains("before authentication");
            assertThat(serverReceived).isEmpty();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void hostKeyRefusalEndsTheConnectionBeforeAuthentication() throws Exception {
        Channel server = startServer(TransportConfig.defaults().withHostKeys(List.of(HOST_KEY)));
        try {
            TransportConfig pinned = TransportConfig.defaults()
                    .withHostKeyVerifier((host, port, key) -> "Host key verification failed.");
            Client client = connect(server, pinned, List.of(USER_KEY));
            assertThat(client.auth().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.auth().isSuccess()).isFalse();
            assertThat(client.session().closed()).get().satisfies(c -> {
                assertThat(c.reason()).isEqualTo(DisconnectReason.HOST_KEY_NOT_VERIFIABLE);
                assertThat(c.message()).isEqualTo("Host key verification failed.");
            });
        } finally {
            server.close().sync();
        }
    }
}
