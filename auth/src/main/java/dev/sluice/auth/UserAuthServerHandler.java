package dev.sluice.auth;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;
import static dev.sluice.transport.DisconnectReason.SERVICE_NOT_AVAILABLE;

import dev.sluice.auth.message.KeyboardInteractiveRequest;
import dev.sluice.auth.message.PasswordRequest;
import dev.sluice.auth.message.PublicKeyRequest;
import dev.sluice.auth.message.UserAuthBanner;
import dev.sluice.auth.message.UserAuthFailure;
import dev.sluice.auth.message.UserAuthInfoRequest;
import dev.sluice.auth.message.UserAuthInfoResponse;
import dev.sluice.auth.message.UserAuthMessages;
import dev.sluice.auth.message.UserAuthPasswdChangeReq;
import dev.sluice.auth.message.UserAuthPkOk;
import dev.sluice.auth.message.UserAuthRequest;
import dev.sluice.auth.message.UserAuthSuccess;
import dev.sluice.transport.SshException;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshPublicKey;
import dev.sluice.transport.message.ServiceAccept;
import dev.sluice.transport.message.ServiceRequest;
import dev.sluice.transport.message.TransportMessages;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of RFC 4252: answers the {@code ssh-userauth} service request, then runs publickey (PK_OK for
 * queries, then the signature and the {@link PublicKeyAuthenticator}), password (with PASSWD_CHANGEREQ) and
 * keyboard-interactive (RFC 4256, any number of rounds), under sshd's AuthenticationMethods (partial success until a
 * list is complete). On success it records the {@link AuthenticatedUser} on the socket, completes {@code result}
 * with it, and removes itself so that the connection layer gets the connection. Until then any higher-layer message
 * (a channel open, channel data) is a protocol error.
 *
 * <p>Password and keyboard-interactive checks may block, so they run on another thread; messages arriving meanwhile
 * wait in order. Limits, as sshd's: {@code MaxAuthTries} failed attempts (default 6) end the connection with "Too
 * many authentication failures"; {@code LoginGraceTime} (default 120 s) without success ends it too. Every failure
 * is answered no sooner than a per-user minimum delay (sshd's 5 ms plus up to ~4 ms, doubled while the check took
 * longer), so that reply timing does not tell known users from unknown ones. Log lines follow sshd's ("Accepted
 * password for USER from ADDR port PORT ssh2").
 */
public final class UserAuthServerHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UserAuthServerHandler.class);
    /**
     * Messages held while a check runs. ssh waits for each answer, so a client with more than a few in flight is
     * flooding, and each may be a 256 KiB packet: 32 bound the memory at 8 MiB per connection.
     */
    static final int MAX_WAITING = 32;
    private static final AttributeKey<String> REQUESTED_USER = AttributeKey.valueOf(UserAuthServerHandler.class,
            "requestedUser");

    private final TransportSession session;
    private final UserAuthPolicy policy;
    private PublicKeyAuthenticator keys;
    private ServerAuthConfig config;
    private int maxAuthTries;
    private final long loginGraceSeconds;
    private final Promise<AuthenticatedUser> result;
    private final Executor blocking;

    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private List<List<String>> remainingChains;
    private final List<String> succeeded = new ArrayList<>();
    private final Set<String> usedKeys = new HashSet<>();
    private KeyRestrictions restrictions = KeyRestrictions.NONE;
    private boolean serviceAccepted;
    private boolean bannerSent;
    private boolean busy;
    private boolean done;
    private String user;
    private int failures;
    private long requestStart;
    private ScheduledFuture<?> graceTimer;
    private KeyboardInteractiveAuthenticator.Conversation conversation;

    /** @param result completed with the user on success; failed when the connection ends before */
    public UserAuthServerHandler(TransportSession session, PublicKeyAuthenticator keys, ServerAuthConfig config,
            int maxAuthTries, long loginGraceSeconds, Promise<AuthenticatedUser> result) {
        this(session, keys, config, maxAuthTries, loginGraceSeconds, result, null, Blocking.EXECUTOR);
    }

    /**
     * @param policy chooses {@code keys}, {@code config} and {@code maxAuthTries} anew once the user is known (sshd's
     *     Match blocks); null to keep the given ones for every user
     */
    public UserAuthServerHandler(TransportSession session, PublicKeyAuthenticator keys, ServerAuthConfig config,
            int maxAuthTries, long loginGraceSeconds, Promise<AuthenticatedUser> result, UserAuthPolicy policy) {
        this(session, keys, config, maxAuthTries, loginGraceSeconds, result, policy, Blocking.EXECUTOR);
    }

    UserAuthServerHandler(TransportSession session, PublicKeyAuthenticator keys, ServerAuthConfig config,
            int maxAuthTries, long loginGraceSeconds, Promise<AuthenticatedUser> result, UserAuthPolicy policy,
            Executor blocking) {
        this.session = session;
        this.policy = policy;
        this.keys = keys;
        this.config = config;
        this.maxAuthTries = maxAuthTries;
        this.loginGraceSeconds = loginGraceSeconds;
        this.result = result;
        this.blocking = blocking;
        this.remainingChains = new ArrayList<>(config.authenticationMethods());
    }

    /**
     * The user name the client's first authentication request named on this server socket, or null before one:
     * for log lines about a connection that ends while authenticating ("authenticating user alice").
     */
    public static String requestedUser(Channel socket) {
        return socket.attr(REQUESTED_USER).get();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (loginGraceSeconds > 0) {
            graceTimer = ctx.executor().schedule(() -> {
                LOG.info("Timeout before authentication for {} port {}", session.peerHost(), session.peerPort());
                ctx.close();
            }, loginGraceSeconds, TimeUnit.SECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (graceTimer != null) {
            graceTimer.cancel(false);
        }
        ByteBuf b;
        while ((b = waiting.poll()) != null) {
            // Only after success is anything left: messages for the layer behind us, in order.
            if (done && ctx.channel().isActive()) {
                ctx.fireChannelRead(b);
            } else {
                b.release();
            }
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
        if (busy) {
            if (waiting.size() >= MAX_WAITING) {
                payload.release();
                throw SshException.disconnect(PROTOCOL_ERROR, "too many authentication messages in flight");
            }
            waiting.add(payload);
            return;
        }
        try {
            handle(ctx, payload);
        } finally {
            payload.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, ByteBuf payload) {
        int id = payload.getUnsignedByte(payload.readerIndex());
        SshReader r = SshReader.body(payload);
        if (id == TransportMessages.SERVICE_REQUEST) {
            serviceRequest(ctx, ServiceRequest.decode(r));
        } else if (id == UserAuthMessages.REQUEST && serviceAccepted) {
            request(ctx, UserAuthRequest.decode(r));
        } else if (id == UserAuthMessages.INFO_RESPONSE && conversation != null) {
            UserAuthInfoResponse response = UserAuthInfoResponse.decode(r);
            continueConversation(ctx, response);
        } else if (id == TransportMessages.EXT_INFO) {
            LOG.debug("ignoring client EXT_INFO");
        } else {
            throw SshException.disconnect(PROTOCOL_ERROR, "unexpected message %d before authentication", id);
        }
    }

    /** Processes what arrived while a check was running, until the next check or the end. */
    private void resume(ChannelHandlerContext ctx) {
        busy = false;
        ByteBuf next;
        while (!busy && !done && ctx.channel().isActive() && (next = waiting.poll()) != null) {
            try {
                handle(ctx, next);
            } catch (SshException e) {
                ctx.fireExceptionCaught(e);
                return;
            } finally {
                next.release();
            }
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
        if (user == null) {
            user = request.user();
            ctx.channel().attr(REQUESTED_USER).set(user);
            if (!selectSettings(ctx)) {
                return;
            }
        } else if (!user.equals(request.user())) {
            throw SshException.disconnect(PROTOCOL_ERROR, "Change of username or service not allowed: (%s,%s) -> "
                    + "(%s,%s)", user, UserAuthClientHandler.CONNECTION_SERVICE, request.user(), request.service());
        }
        if (!bannerSent) {
            bannerSent = true;
            if (config.banner() != null && !config.banner().isEmpty()) {
                ctx.writeAndFlush(new UserAuthBanner(config.banner(), "").toPayload(ctx.alloc()));
            }
        }
        // A new request abandons a keyboard-interactive exchange in progress (RFC 4256 section 3.4).
        conversation = null;
        requestStart = System.nanoTime();
        String method = request.method();
        if (UserAuthClientHandler.NONE.equals(method)) {
            none(ctx);
        } else if (!allowedNow().contains(method)) {
            LOG.debug("userauth_request: method {} not allowed for {}", method, user);
            failed(ctx, method);
        } else if (PublicKeyRequest.METHOD.equals(method)) {
            publicKey(ctx, PublicKeyRequest.decode(request.methodData()));
        } else if (PasswordRequest.METHOD.equals(method)) {
            password(ctx, PasswordRequest.decode(request.methodData()));
        } else {
            KeyboardInteractiveRequest kbd = KeyboardInteractiveRequest.decode(request.methodData());
            startConversation(ctx, kbd.submethods());
        }
    }

    /**
     * Takes the user's own settings from the policy, as sshd applies Match blocks when the user is first named.
     *
     * @return false when the connection is being closed because nothing can log this user in
     */
    private boolean selectSettings(ChannelHandlerContext ctx) {
        if (policy != null) {
            UserAuthPolicy.Settings settings;
            try {
                settings = policy.settingsFor(user, ctx.channel());
            } catch (IllegalArgumentException e) {
                LOG.error("{}", e.getMessage());
                ctx.close();
                return false;
            }
            keys = settings.keys();
            config = settings.auth();
            maxAuthTries = settings.maxAuthTries();
            remainingChains = new ArrayList<>(config.authenticationMethods());
        }
        return true;
    }

    /** The methods in sshd's order that are on and, under AuthenticationMethods, next in some list. */
    private List<String> allowedNow() {
        List<String> methods = new ArrayList<>();
        for (String m : List.of(PublicKeyRequest.METHOD, PasswordRequest.METHOD, KeyboardInteractiveRequest.METHOD)) {
            boolean on = switch (m) {
                case PublicKeyRequest.METHOD -> keys != null;
                case PasswordRequest.METHOD -> config.password() != null;
                default -> config.keyboardInteractive() != null;
            };
            if (on && (remainingChains.isEmpty() && succeeded.isEmpty()
                    || remainingChains.stream().anyMatch(c -> c.get(0).equals(m)))) {
                methods.add(m);
            }
        }
        return methods;
    }

    private void none(ChannelHandlerContext ctx) {
        if (config.permitEmptyPasswords() && allowedNow().contains(PasswordRequest.METHOD)) {
            // sshd's userauth_none: with PermitEmptyPasswords, "none" is the empty password.
            check(ctx, () -> config.password().authenticate(user, new char[0]), r -> {
                if (r.outcome() == PasswordAuthenticator.Outcome.SUCCESS) {
                    succeeded(ctx, PasswordRequest.METHOD, "none");
                } else {
                    reply(ctx, UserAuthClientHandler.NONE, false);
                }
            });
            return;
        }
        reply(ctx, UserAuthClientHandler.NONE, false);
    }

    private void publicKey(ChannelHandlerContext ctx, PublicKeyRequest pk) {
        SshPublicKey key;
        try {
            key = PublicKeys.fromBlob(pk.keyBlob());
        } catch (SshException e) {
            LOG.info("{}: unsupported public key from {}: {}", user, session.peerHost(), e.getMessage());
            failed(ctx, PublicKeyRequest.METHOD);
            return;
        }
        String fp = key.fingerprint();
        KeyRestrictions allowed = null;
        if (usedKeys.contains(fp)) {
            LOG.info("refusing previously-used {} key", PublicKeys.displayName(key.keyType()));
        } else if (key.signatureAlgorithms().contains(pk.algorithm())) {
            allowed = keys.authorize(user, key, session.peerHost());
        }
        if (pk.signature() == null) {
            if (allowed != null) {
                ctx.writeAndFlush(new UserAuthPkOk(pk.algorithm(), pk.keyBlob()).toPayload(ctx.alloc()));
            } else {
                failed(ctx, PublicKeyRequest.METHOD);
            }
            return;
        }
        byte[] signed = PublicKeyRequest.signedData(session.sessionId(), user,
                UserAuthClientHandler.CONNECTION_SERVICE, pk.algorithm(), pk.keyBlob());
        String detail = PublicKeys.displayName(key.keyType()) + " " + fp;
        if (key instanceof OpenSshCertificate cert) {
            // sshd's format for a certificate: "ED25519-CERT SHA256:… ID alice (serial 1) CA ED25519 SHA256:…".
            detail += " ID " + cert.keyId() + " (serial " + Long.toUnsignedString(cert.serial()) + ") CA "
                    + PublicKeys.displayName(cert.signatureKey().keyType()) + " " + cert.signatureKey().fingerprint();
        }
        if (allowed != null && key.verify(pk.algorithm(), signed, pk.signature())) {
            usedKeys.add(fp);
            restrictions = allowed;
            succeeded(ctx, PublicKeyRequest.METHOD, detail);
            return;
        }
        LOG.info("Failed publickey for {} from {} port {} ssh2: {}", user, session.peerHost(), session.peerPort(),
                detail);
        failed(ctx, PublicKeyRequest.METHOD);
    }

    private void password(ChannelHandlerContext ctx, PasswordRequest request) {
        byte[] old = request.password();
        if (old.length == 0 && !config.permitEmptyPasswords()) {
            request.destroy();
            failedPassword(ctx);
            return;
        }
        PasswordAuthenticator passwords = config.password();
        check(ctx, () -> {
            char[] pw = PasswordRequest.chars(old);
            char[] fresh = request.change() ? PasswordRequest.chars(request.newPassword()) : null;
            try {
                return fresh == null ? passwords.authenticate(user, pw) : passwords.changePassword(user, pw, fresh);
            } finally {
                Arrays.fill(pw, '\0');
                if (fresh != null) {
                    Arrays.fill(fresh, '\0');
                }
                request.destroy();
            }
        }, r -> {
            switch (r.outcome()) {
                case SUCCESS -> succeeded(ctx, PasswordRequest.METHOD, "");
                case CHANGE_REQUIRED -> ctx.writeAndFlush(
                        new UserAuthPasswdChangeReq(r.changePrompt(), "").toPayload(ctx.alloc()));
                default -> failedPassword(ctx);
            }
        });
    }

    private void failedPassword(ChannelHandlerContext ctx) {
        LOG.info("Failed password for {} from {} port {} ssh2", user, session.peerHost(), session.peerPort());
        failed(ctx, PasswordRequest.METHOD);
    }

    private void startConversation(ChannelHandlerContext ctx, String submethods) {
        KeyboardInteractiveAuthenticator kbd = config.keyboardInteractive();
        check(ctx, () -> {
            KeyboardInteractiveAuthenticator.Conversation c = kbd.start(user, submethods);
            return new Started(c, c.next(List.of()));
        }, started -> step(ctx, started.conversation(), started.first()));
    }

    /** A conversation and its first step, computed together off the event loop. */
    private record Started(KeyboardInteractiveAuthenticator.Conversation conversation,
            KeyboardInteractiveAuthenticator.Step first) {
    }

    private void continueConversation(ChannelHandlerContext ctx, UserAuthInfoResponse response) {
        KeyboardInteractiveAuthenticator.Conversation c = conversation;
        conversation = null;
        check(ctx, () -> {
            List<char[]> answers = new ArrayList<>();
            for (byte[] b : response.responses()) {
                answers.add(PasswordRequest.chars(b));
            }
            response.destroy();
            try {
                return c.next(answers);
            } finally {
                answers.forEach(a -> Arrays.fill(a, '\0'));
            }
        }, s -> step(ctx, c, s));
    }

    private void step(ChannelHandlerContext ctx, KeyboardInteractiveAuthenticator.Conversation c,
            KeyboardInteractiveAuthenticator.Step step) {
        if (!step.done()) {
            conversation = c;
            List<UserAuthInfoRequest.Prompt> prompts = step.prompts().stream()
                    .map(p -> new UserAuthInfoRequest.Prompt(p.text(), p.echo())).toList();
            ctx.writeAndFlush(new UserAuthInfoRequest(step.name(), step.instruction(), "", prompts)
                    .toPayload(ctx.alloc()));
        } else if (step.accepted()) {
            succeeded(ctx, KeyboardInteractiveRequest.METHOD, "");
        } else {
            LOG.info("Failed keyboard-interactive/pam for {} from {} port {} ssh2", user, session.peerHost(),
                    session.peerPort());
            failed(ctx, KeyboardInteractiveRequest.METHOD);
        }
    }

    private void succeeded(ChannelHandlerContext ctx, String method, String detail) {
        succeeded.add(method);
        boolean complete = remainingChains.isEmpty();
        for (int i = 0; i < remainingChains.size(); i++) {
            List<String> chain = remainingChains.get(i);
            if (chain.get(0).equals(method)) {
                chain = chain.subList(1, chain.size());
                remainingChains.set(i, chain);
                complete |= chain.isEmpty();
            }
        }
        String suffix = detail.isEmpty() ? "" : ": " + detail;
        if (!complete) {
            remainingChains.removeIf(List::isEmpty);
            LOG.info("Partial {} for {} from {} port {} ssh2{}", method, user, session.peerHost(),
                    session.peerPort(), suffix);
            reply(ctx, method, true);
            return;
        }
        LOG.info("Accepted {} for {} from {} port {} ssh2{}", method, user, session.peerHost(), session.peerPort(),
                suffix);
        done = true;
        AuthenticatedUser authenticated = new AuthenticatedUser(user, succeeded, restrictions);
        authenticated.attachTo(ctx.channel());
        ctx.writeAndFlush(new UserAuthSuccess().toPayload(ctx.alloc()));
        ctx.pipeline().remove(this);
        result.trySuccess(authenticated);
    }

    /** A failed attempt: counted against MaxAuthTries, answered after the minimum delay. */
    private void failed(ChannelHandlerContext ctx, String method) {
        if (++failures >= maxAuthTries) {
            LOG.info("maximum authentication attempts exceeded for {} from {} port {} ssh2", user,
                    session.peerHost(), session.peerPort());
            // sshd's ssh_packet_disconnect, which says PROTOCOL_ERROR; clients print the code.
            throw SshException.disconnect(PROTOCOL_ERROR, "Too many authentication failures");
        }
        reply(ctx, method, false);
    }

    private void reply(ChannelHandlerContext ctx, String method, boolean partial) {
        UserAuthFailure failure = new UserAuthFailure(allowedNow(), partial);
        if (partial || UserAuthClientHandler.NONE.equals(method)) {
            ctx.writeAndFlush(failure.toPayload(ctx.alloc()));
            return;
        }
        long delay = FailureDelay.remainingNanos(user, System.nanoTime() - requestStart);
        busy = true;
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(failure.toPayload(ctx.alloc()));
            }
            resume(ctx);
        }, delay, TimeUnit.NANOSECONDS);
    }

    /** Runs a check where it may block, then {@code then} on the event loop; later messages wait meanwhile. */
    private <T> void check(ChannelHandlerContext ctx, Supplier<T> work, Consumer<T> then) {
        busy = true;
        blocking.execute(() -> {
            T answer;
            try {
                answer = work.get();
            } catch (RuntimeException e) {
                LOG.warn("Authentication check for {} failed: {}", user, e.toString());
                answer = null;
            }
            T a = answer;
            ctx.executor().execute(() -> {
                if (!ctx.channel().isActive() || done) {
                    return;
                }
                busy = false;
                try {
                    if (a == null) {
                        failed(ctx, "error");
                    } else {
                        then.accept(a);
                    }
                } catch (SshException e) {
                    ctx.fireExceptionCaught(e);
                    return;
                }
                if (!busy) {
                    resume(ctx);
                }
            });
        });
    }
}
