package dev.sluice.auth;

import static dev.sluice.transport.DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE;
import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;
import static dev.sluice.transport.DisconnectReason.SERVICE_NOT_AVAILABLE;

import dev.sluice.auth.message.PublicKeyRequest;
import dev.sluice.auth.message.UserAuthFailure;
import dev.sluice.auth.message.UserAuthMessages;
import dev.sluice.auth.message.UserAuthPkOk;
import dev.sluice.auth.message.UserAuthRequest;
import dev.sluice.auth.message.UserAuthSuccess;
import dev.sluice.transport.SshException;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshPublicKey;
import dev.sluice.transport.message.ServiceAccept;
import dev.sluice.transport.message.ServiceRequest;
import dev.sluice.transport.message.TransportMessages;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of RFC 4252 with the publickey method: answers the {@code ssh-userauth} service request, queries
 * with PK_OK, checks signatures and the {@link PublicKeyAuthenticator}, then removes itself so that the connection
 * layer gets the connection. Until then any higher-layer message (a channel open, channel data) is a protocol error.
 *
 * <p>Limits, as sshd's: {@code MaxAuthTries} failed attempts (default 6) end the connection with "Too many
 * authentication failures"; {@code LoginGraceTime} (default 120 s) without success ends it too. Log lines follow
 * sshd's ("Accepted publickey for USER from ADDR port PORT ssh2: ED25519 SHA256:…").
 */
public final class UserAuthServerHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UserAuthServerHandler.class);
    private static final List<String> METHODS = List.of(PublicKeyRequest.METHOD);

    private final TransportSession session;
    private final PublicKeyAuthenticator authenticator;
    private final int maxAuthTries;
    private final long loginGraceSeconds;
    private final Promise<String> result;
    private boolean serviceAccepted;
    private int failures;
    private ScheduledFuture<?> graceTimer;

    /** @param result completed with the user name on success; failed when the connection ends before */
    public UserAuthServerHandler(TransportSession session, PublicKeyAuthenticator authenticator, int maxAuthTries,
            long loginGraceSeconds, Promise<String> result) {
        this.session = session;
        this.authenticator = authenticator;
        this.maxAuthTries = maxAuthTries;
        this.loginGraceSeconds = loginGraceSeconds;
        this.result = result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (loginGraceSeconds > 0) {
            graceTimer = ctx.executor().schedule(() -> {
                LOG.info("Timeout before authentication for {}", ctx.channel().remoteAddress());
                ctx.close();
            }, loginGraceSeconds, TimeUnit.SECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (graceTimer != null) {
            graceTimer.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.tryFailure(new AuthenticationException("Connection closed by peer before authentication"));
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf payload = (ByteBuf) msg;
        try {
            int id = payload.getUnsignedByte(payload.readerIndex());
            SshReader r = SshReader.body(payload);
            if (id == TransportMessages.SERVICE_REQUEST) {
                serviceRequest(ctx, ServiceRequest.decode(r));
            } else if (id == UserAuthMessages.REQUEST && serviceAccepted) {
                request(ctx, UserAuthRequest.decode(r));
            } else if (id == TransportMessages.EXT_INFO) {
                LOG.debug("ignoring client EXT_INFO");
            } else {
                throw SshException.disconnect(PROTOCOL_ERROR, "unexpected message %d before authentication", id);
            }
        } finally {
            payload.release();
        }
    }

    private void serviceRequest(ChannelHandlerContext ctx, ServiceRequest request) {
        if (!UserAuthClientHandler.USERAUTH_SERVICE.equals(request.serviceName()) || serviceAccepted) {
            throw SshException.disconnect(SERVICE_NOT_AVAILABLE, "service %s not available", request.serviceName());
        }
        serviceAccepted = true;
        ctx.writeAndFlush(new ServiceAccept(request.serviceName()).toPayload(ctx.alloc()));
    }

    private void request(ChannelHandlerContext ctx, UserAuthRequest request) {
        if (!UserAuthClientHandler.CONNECTION_SERVICE.equals(request.service())) {
            throw SshException.disconnect(SERVICE_NOT_AVAILABLE, "service %s not available", request.service());
        }
        if (!PublicKeyRequest.METHOD.equals(request.method())) {
            // "none" and unsupported methods only learn the list; sshd does not count "none" as a try.
            if (!"none".equals(request.method())) {
                countFailure(ctx, request);
            }
            fail(ctx);
            return;
        }
        PublicKeyRequest pk = PublicKeyRequest.decode(request.methodData());
        SshPublicKey key;
        try {
            key = PublicKeys.fromBlob(pk.keyBlob());
        } catch (SshException e) {
            LOG.info("{}: unsupported public key from {}: {}", request.user(), ctx.channel().remoteAddress(),
                    e.getMessage());
            countFailure(ctx, request);
            fail(ctx);
            return;
        }
        boolean algorithmMatches = key.signatureAlgorithms().contains(pk.algorithm());
        boolean authorized = algorithmMatches && authenticator.isAuthorized(request.user(), key);
        if (pk.signature() == null) {
            if (authorized) {
                ctx.writeAndFlush(new UserAuthPkOk(pk.algorithm(), pk.keyBlob()).toPayload(ctx.alloc()));
            } else {
                fail(ctx);
            }
            return;
        }
        byte[] signed = PublicKeyRequest.signedData(session.sessionId(), request.user(), request.service(),
                pk.algorithm(), pk.keyBlob());
        if (authorized && key.verify(pk.algorithm(), signed, pk.signature())) {
            LOG.info("Accepted publickey for {} from {} port {} ssh2: {} {}", request.user(), session.peerHost(),
                    session.peerPort(), PublicKeys.displayName(key.keyType()), key.fingerprint());
            ctx.writeAndFlush(new UserAuthSuccess().toPayload(ctx.alloc()));
            ctx.pipeline().remove(this);
            result.trySuccess(request.user());
            return;
        }
        LOG.info("Failed publickey for {} from {} port {} ssh2: {} {}", request.user(), session.peerHost(),
                session.peerPort(), PublicKeys.displayName(key.keyType()), key.fingerprint());
        countFailure(ctx, request);
        fail(ctx);
    }

    private void countFailure(ChannelHandlerContext ctx, UserAuthRequest request) {
        if (++failures >= maxAuthTries) {
            throw SshException.disconnect(NO_MORE_AUTH_METHODS_AVAILABLE,
                    "Too many authentication failures for %s", request.user());
        }
    }

    private static void fail(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new UserAuthFailure(METHODS, false).toPayload(ctx.alloc()));
    }
}
