package dev.sluice.auth;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.auth.message.PublicKeyRequest;
import dev.sluice.auth.message.UserAuthBanner;
import dev.sluice.auth.message.UserAuthFailure;
import dev.sluice.auth.message.UserAuthMessages;
import dev.sluice.auth.message.UserAuthRequest;
import dev.sluice.transport.KeyExchangeCompleted;
import dev.sluice.transport.SshException;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.message.ExtInfo;
import dev.sluice.transport.message.ServiceAccept;
import dev.sluice.transport.message.ServiceRequest;
import dev.sluice.transport.message.TransportMessages;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of RFC 4252: after the first key exchange, requests the {@code ssh-userauth} service and tries the
 * identities in order with signed publickey requests, then removes itself so that the connection layer behind it
 * gets the connection. Until then every message of a higher layer from the server is a protocol error.
 *
 * <p>The outcome completes {@code result}: success, or an {@link AuthenticationException} with OpenSSH's words
 * ("Permission denied (publickey).").
 */
public final class UserAuthClientHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UserAuthClientHandler.class);
    static final String USERAUTH_SERVICE = "ssh-userauth";
    static final String CONNECTION_SERVICE = "ssh-connection";

    private final TransportSession session;
    private final String user;
    private final Deque<SshKeyPair> identities;
    private final Consumer<String> bannerSink;
    private final Promise<Void> result;
    private List<String> serverMethods = List.of("publickey");

    /**
     * @param bannerSink receives a USERAUTH_BANNER's text (the CLI prints it on standard error, as ssh does)
     * @param result completed when authentication ends either way
     */
    public UserAuthClientHandler(TransportSession session, String user, List<SshKeyPair> identities,
            Consumer<String> bannerSink, Promise<Void> result) {
        this.session = session;
        this.user = user;
        this.identities = new ArrayDeque<>(identities);
        this.bannerSink = bannerSink;
        this.result = result;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof KeyExchangeCompleted && ((KeyExchangeCompleted) evt).initial()) {
            ctx.writeAndFlush(new ServiceRequest(USERAUTH_SERVICE).toPayload(ctx.alloc()));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.tryFailure(new AuthenticationException("Connection closed during authentication"));
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf payload = (ByteBuf) msg;
        try {
            int id = payload.getUnsignedByte(payload.readerIndex());
            SshReader r = SshReader.body(payload);
            switch (id) {
                case TransportMessages.SERVICE_ACCEPT -> {
                    ServiceAccept.decode(r);
                    tryNext(ctx);
                }
                case TransportMessages.EXT_INFO -> LOG.debug("server-sig-algs: {}",
                        ExtInfo.decode(r).text("server-sig-algs"));
                case UserAuthMessages.BANNER -> bannerSink.accept(UserAuthBanner.decode(r).message());
                case UserAuthMessages.FAILURE -> {
                    UserAuthFailure failure = UserAuthFailure.decode(r);
                    serverMethods = failure.methods();
                    tryNext(ctx);
                }
                case UserAuthMessages.SUCCESS -> {
                    LOG.debug("Authenticated to {} as {}", session.peerHost(), user);
                    ctx.pipeline().remove(this);
                    result.trySuccess(null);
                }
                default -> throw SshException.disconnect(PROTOCOL_ERROR,
                        "unexpected message %d during authentication", id);
            }
        } finally {
            payload.release();
        }
    }

    private void tryNext(ChannelHandlerContext ctx) {
        SshKeyPair key = serverMethods.contains(PublicKeyRequest.METHOD) ? identities.poll() : null;
        if (key == null) {
            String message = "Permission denied (" + String.join(",", serverMethods) + ").";
            result.tryFailure(new AuthenticationException(message));
            ctx.close();
            return;
        }
        String algorithm = key.publicKey().signatureAlgorithms().get(0);
        byte[] blob = key.publicKey().blob();
        byte[] signed = PublicKeyRequest.signedData(session.sessionId(), user, CONNECTION_SERVICE, algorithm, blob);
        byte[] signature = key.sign(algorithm, signed);
        LOG.debug("Offering public key: {} {}", algorithm, key.publicKey().fingerprint());
        ctx.writeAndFlush(new UserAuthRequest(user, CONNECTION_SERVICE, PublicKeyRequest.METHOD,
                new PublicKeyRequest(algorithm, blob, signature).encode()).toPayload(ctx.alloc()));
    }
}
