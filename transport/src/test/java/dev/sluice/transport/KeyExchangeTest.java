package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sluice client against Sluice server in memory: every key exchange method and host key algorithm, both roles. */
class KeyExchangeTest {
    private static final EventLoopGroup GROUP = new DefaultEventLoopGroup(2);
    private static final SshKeyPair ED25519 = SshKeyPair.generateEd25519("ed");
    private static final SshKeyPair ECDSA256 = SshKeyPair.generateEcdsa(256, "p256");
    private static final SshKeyPair ECDSA384 = SshKeyPair.generateEcdsa(384, "p384");
    private static final SshKeyPair ECDSA521 = SshKeyPair.generateEcdsa(521, "p521");
    private static final SshKeyPair RSA = SshKeyPair.generateRsa(2048, "rsa");
    private static final List<SshKeyPair> HOST_KEYS = List.of(ED25519, ECDSA256, ECDSA384, ECDSA521, RSA);

    @AfterAll
    static void shutdown() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static List<String> kexMethods() {
        return KexMethods.supportedNames();
    }

    static List<String> hostKeyAlgorithms() {
        return PublicKeys.supportedSignatureAlgorithms();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kexMethods")
    void everyMethodShouldAgreeOnTheSessionId(String kex) throws Exception {
        TransportConfig base = TransportConfig.defaults().withKexAlgorithms(List.of(kex));
        Pair pair = connect(base.withHostKeys(HOST_KEYS), base);
        assertThat(pair.client.negotiated().kex()).isEqualTo(kex);
        assertThat(pair.server.negotiated().kex()).isEqualTo(kex);
        assertThat(TransportSession.of(pair.clientChannel).sessionId())
                .isEqualTo(TransportSession.of(pair.serverChannel).sessionId());
        pair.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostKeyAlgorithms")
    void everyHostKeyAlgorithmShouldSignTheExchange(String algorithm) throws Exception {
        TransportConfig base = TransportConfig.defaults()
                .withKexAlgorithms(List.of(KexMethods.CURVE25519_SHA256)).withHostKeyAlgorithms(List.of(algorithm));
        Pair pair = connect(base.withHostKeys(HOST_KEYS), base);
        assertThat(pair.client.negotiated().hostKey()).isEqualTo(algorithm);
        pair.close();
    }

    @Test
    void serverShouldOfferOnlyAlgorithmsItHasKeysForInTheClientsOrder() throws Exception {
        TransportConfig client = TransportConfig.defaults().withKexAlgorithms(List.of(KexMethods.CURVE25519_SHA256))
                .withHostKeyAlgorithms(List.of("ssh-ed25519", "rsa-sha2-256", "ecdsa-sha2-nistp384"));
        TransportConfig server = TransportConfig.defaults().withHostKeys(List.of(ECDSA384, RSA));
        Pair pair = connect(server, client);
        assertThat(pair.client.negotiated().hostKey()).isEqualTo("rsa-sha2-256");
        pair.close();
    }

    @Test
    void defaultsShouldLeaveTheSha1MethodsOut() {
        TransportConfig defaults = TransportConfig.defaults();
        assertThat(defaults.kexAlgorithms()).doesNotContain("diffie-hellman-group14-sha1",
                "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1");
        assertThat(defaults.hostKeyAlgorithms()).doesNotContain("ssh-rsa");
        assertThat(defaults.kexAlgorithms().get(0)).isEqualTo(KexMethods.MLKEM768X25519_SHA256);
    }

    @Test
    void noCommonMethodShouldDisconnectWithOpenSshsWords() throws Exception {
        TransportConfig client = TransportConfig.defaults().withKexAlgorithms(List.of("ecdh-sha2-nistp256"));
        TransportConfig server = TransportConfig.defaults().withHostKeys(HOST_KEYS)
                .withKexAlgorithms(List.of("diffie-hellman-group14-sha256"));
        Pair pair = start(server, client);
        TransportClosed closed = pair.clientClosed.get(10, TimeUnit.SECONDS);
        assertThat(closed.reason()).isEqualTo(DisconnectReason.KEY_EXCHANGE_FAILED);
        assertThat(closed.message()).startsWith("Unable to negotiate with ")
                .contains(": no matching key exchange method found. Their offer: diffie-hellman-group14-sha256,");
        TransportClosed serverSide = pair.serverClosed.get(10, TimeUnit.SECONDS);
        assertThat(serverSide.reason()).isEqualTo(DisconnectReason.KEY_EXCHANGE_FAILED);
        pair.close();
    }

    @Test
    void groupExchangeShouldCompleteWithA3072BitRequest() throws Exception {
        TransportConfig base = TransportConfig.defaults()
                .withKexAlgorithms(List.of("diffie-hellman-group-exchange-sha256"))
                .withCiphers(List.of("aes128-gcm@openssh.com"));
        Pair pair = connect(base.withHostKeys(HOST_KEYS), base);
        assertThat(pair.client.negotiated().kex()).isEqualTo("diffie-hellman-group-exchange-sha256");
        pair.close();
    }

    @Test
    void aRekeyLimitSetAfterTheFirstExchangeShouldTakeEffect() throws Exception {
        TransportConfig base = TransportConfig.defaults();
        Pair pair = connect(base.withHostKeys(HOST_KEYS), base);
        TransportSession server = TransportSession.of(pair.serverChannel());
        Thread.sleep(300);
        assertThat(server.keyExchanges()).as("no limit configured").isEqualTo(1);
        // As sshd applies a Match block's RekeyLimit once the user is known.
        server.rekeyLimit(new RekeyLimit(0, Duration.ofMillis(100)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.keyExchanges() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.keyExchanges()).isGreaterThanOrEqualTo(3);
        assertThat(TransportSession.of(pair.clientChannel()).keyExchanges()).isGreaterThanOrEqualTo(2);
        pair.close();
    }

    // ---- plumbing ----

    private record Pair(Channel serverListener, Channel clientChannel, Channel serverChannel,
            KeyExchangeCompleted client, KeyExchangeCompleted server,
            CompletableFuture<TransportClosed> clientClosed, CompletableFuture<TransportClosed> serverClosed) {
        void close() {
            clientChannel.close().syncUninterruptibly();
            serverListener.close().syncUninterruptibly();
        }
    }

    private static Pair connect(TransportConfig server, TransportConfig client) throws Exception {
        return start(server, client);
    }

    private static Pair start(TransportConfig serverConfig, TransportConfig clientConfig) throws Exception {
        LocalAddress address = new LocalAddress("kex-" + System.nanoTime());
        CompletableFuture<KeyExchangeCompleted> serverDone = new CompletableFuture<>();
        CompletableFuture<KeyExchangeCompleted> clientDone = new CompletableFuture<>();
        CompletableFuture<Channel> serverChannel = new CompletableFuture<>();
        CompletableFuture<TransportClosed> serverClosed = new CompletableFuture<>();
        CompletableFuture<TransportClosed> clientClosed = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(GROUP).channel(LocalServerChannel.class)
                .childHandler(initializer(Role.SERVER, serverConfig, serverDone, serverClosed, serverChannel))
                .bind(address).sync().channel();
        Channel clientChannel = new Bootstrap().group(GROUP).channel(LocalChannel.class)
                .handler(initializer(Role.CLIENT, clientConfig, clientDone, clientClosed, new CompletableFuture<>()))
                .connect(address).sync().channel();
        boolean fails = clientConfig.kexAlgorithms().stream().noneMatch(serverConfig.kexAlgorithms()::contains);
        if (fails) {
            return new Pair(listener, clientChannel, serverChannel.get(10, TimeUnit.SECONDS), null, null,
                    clientClosed, serverClosed);
        }
        return new Pair(listener, clientChannel, serverChannel.get(10, TimeUnit.SECONDS),
                clientDone.get(30, TimeUnit.SECONDS), serverDone.get(30, TimeUnit.SECONDS), clientClosed,
                serverClosed);
    }

    private static ChannelInitializer<Channel> initializer(Role role, TransportConfig config,
            CompletableFuture<KeyExchangeCompleted> done, CompletableFuture<TransportClosed> closed,
            CompletableFuture<Channel> channel) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                TransportSession session = TransportPipeline.install(ch.pipeline(), role, config);
                session.peer("127.0.0.1", 22);
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof KeyExchangeCompleted) {
                            done.complete((KeyExchangeCompleted) evt);
                        }
                        ctx.fireUserEventTriggered(evt);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        closed.complete(session.closed().orElse(null));
                        ctx.fireChannelInactive();
                    }
                });
                ch.pipeline().addLast(TransportPipeline.newDisconnectOnErrorHandler(session));
                channel.complete(ch);
            }
        };
    }
}
