package dev.sluice.auth;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

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
import dev.sluice.transport.KeyExchangeCompleted;
import dev.sluice.transport.SshException;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import dev.sluice.transport.message.ExtInfo;
import dev.sluice.transport.message.ServiceAccept;
import dev.sluice.transport.message.ServiceRequest;
import dev.sluice.transport.message.TransportMessages;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * The client side of RFC 4252, as ssh runs it: after the first key exchange, requests the {@code ssh-userauth}
 * service and, in the same flush, a {@code none} request to learn the server's methods, then tries the methods of
 * {@link ClientAuthConfig#preferredAuthentications()} that the server lists: publickey (each identity is offered
 * first, and signed only after PK_OK), keyboard-interactive (RFC 4256, any number of rounds) and password (with
 * PASSWD_CHANGEREQ). A partial success (sshd's AuthenticationMethods) restarts the choice from the new list. On
 * success the handler removes itself so that the connection layer behind it gets the connection; until then every
 * message of a higher layer is a protocol error.
 *
 * <p>Prompts and signatures (an agent's, over a socket) may block, so they run on a separate thread and their
 * result comes back to the event loop. The outcome completes {@code result}: success, or an
 * {@link AuthenticationException} with OpenSSH's words ("Permission denied (publickey,password).").
 */
public final class UserAuthClientHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UserAuthClientHandler.class);
    /** ssh's VERBOSE level, between INFO and DEBUG1, for logs that tell it apart. */
    private static final Marker VERBOSE = MarkerFactory.getMarker("VERBOSE");
    static final String USERAUTH_SERVICE = "ssh-userauth";
    static final String CONNECTION_SERVICE = "ssh-connection";
    static final String NONE = "none";

    /** What the handler waits for. */
    private enum Awaiting { SERVICE, NONE, PK_OK, PK_RESULT, PASSWORD, KBD, LOCAL, DONE }

    private final TransportSession session;
    private final String user;
    private final List<SshKeyPair> allIdentities;
    private final ClientAuthConfig config;
    private final Consumer<String> bannerSink;
    private final Promise<Void> result;
    private final Executor blocking;

    private Awaiting awaiting = Awaiting.SERVICE;
    private List<String> serverMethods = List.of();
    private List<String> serverSigAlgs = List.of();
    private int preferredIndex;
    private Deque<SshKeyPair> untriedKeys;
    private SshKeyPair offeredKey;
    private int passwordAttempts;
    private int kbdAttempts;
    private boolean infoRequestSeen;
    private String lastMethod = NONE;
    /** The method last named in a "Next authentication method" line. */
    private String announcedMethod;

    /**
     * @param identities the keys to offer, in order (files and agent keys alike)
     * @param bannerSink receives a USERAUTH_BANNER's text (the CLI prints it on standard error, as ssh does)
     * @param result completed when authentication ends either way
     */
    public UserAuthClientHandler(TransportSession session, String user, List<SshKeyPair> identities,
            ClientAuthConfig config, Consumer<String> bannerSink, Promise<Void> result) {
        this(session, user, identities, config, bannerSink, result, Blocking.EXECUTOR);
    }

    UserAuthClientHandler(TransportSession session, String user, List<SshKeyPair> identities,
            ClientAuthConfig config, Consumer<String> bannerSink, Promise<Void> result, Executor blocking) {
        this.session = session;
        this.user = user;
        this.allIdentities = List.copyOf(identities);
        this.untriedKeys = new ArrayDeque<>(identities);
        this.config = config;
        this.bannerSink = bannerSink;
        this.result = result;
        this.blocking = blocking;
    }

    /**
     * The signature algorithm to use with {@code key}: the first of its algorithms that the server names in
     * server-sig-algs (RFC 8308 section 3.1), or its first when the server sent no list or names none of them.
     * An RSA key listing rsa-sha2-512 and rsa-sha2-256 thus signs with the one the server accepts; a certificate's
     * algorithms are looked up by their plain names, which is what sshd lists.
     */
    static String signatureAlgorithm(SshPublicKey key, List<String> serverSigAlgs) {
        List<String> mine = key.signatureAlgorithms();
        for (String a : mine) {
            if (serverSigAlgs.contains(a) || serverSigAlgs.contains(OpenSshCertificate.plainAlgorithm(a))) {
                return a;
            }
        }
        return mine.get(0);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof KeyExchangeCompleted && ((KeyExchangeCompleted) evt).initial()) {
            if (LOG.isDebugEnabled()) {
                allIdentities.forEach(k -> LOG.debug("Will attempt key: {}", identity(k)));
            }
            // The none probe follows the service request without waiting for SERVICE_ACCEPT: servers handle
            // messages in order, so this saves a round trip of every login.
            ctx.write(new ServiceRequest(USERAUTH_SERVICE).toPayload(ctx.alloc()));
            send(ctx, NONE, new byte[0]);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        awaiting = Awaiting.DONE;
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
                    expect(Awaiting.SERVICE, id);
                    ServiceAccept.decode(r);
                    LOG.debug("SSH2_MSG_SERVICE_ACCEPT received");
                    awaiting = Awaiting.NONE;
                }
                case TransportMessages.EXT_INFO -> {
                    ExtInfo info = ExtInfo.decode(r);
                    LOG.debug("SSH2_MSG_EXT_INFO received");
                    for (Map.Entry<String, byte[]> e : info.extensions().entrySet()) {
                        LOG.debug("kex_input_ext_info: {}=<{}>", e.getKey(), info.text(e.getKey()));
                    }
                    String algs = info.text("server-sig-algs");
                    serverSigAlgs = algs == null || algs.isEmpty() ? List.of() : List.of(algs.split(","));
                }
                case UserAuthMessages.BANNER -> bannerSink.accept(UserAuthBanner.decode(r).message());
                case UserAuthMessages.FAILURE -> failure(ctx, UserAuthFailure.decode(r));
                case UserAuthMessages.SUCCESS -> {
                    if (awaiting == Awaiting.SERVICE || awaiting == Awaiting.LOCAL || awaiting == Awaiting.DONE) {
                        throw unexpected(id);
                    }
                    logAuthenticated(ctx.channel().remoteAddress());
                    awaiting = Awaiting.DONE;
                    ctx.pipeline().remove(this);
                    result.trySuccess(null);
                }
                case UserAuthMessages.METHOD_SPECIFIC_60 -> methodSpecific(ctx, r);
                default -> throw unexpected(id);
            }
        } finally {
            payload.release();
        }
    }

    /** ssh's line: the address connected to, or "via proxy" when the transport is no TCP socket of ours. */
    private void logAuthenticated(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            LOG.info(VERBOSE, "Authenticated to {} ([{}]:{}) using \"{}\".", session.peerHost(),
                    a.getAddress().getHostAddress(), a.getPort(), lastMethod);
        } else {
            LOG.info(VERBOSE, "Authenticated to {} (via proxy) using \"{}\".", session.peerHost(), lastMethod);
        }
    }

    /** An identity as ssh's format_identity shows it: its comment (ssh: the file name), type and fingerprint. */
    static String identity(SshKeyPair key) {
        SshPublicKey pub = key.publicKey();
        return key.comment() + " " + PublicKeys.displayName(pub.keyType()) + " " + pub.fingerprint();
    }

    private void methodSpecific(ChannelHandlerContext ctx, SshReader r) {
        switch (awaiting) {
            case PK_OK -> pkOk(ctx, UserAuthPkOk.decode(r));
            case PASSWORD -> changeRequest(ctx, UserAuthPasswdChangeReq.decode(r));
            case KBD -> infoRequest(ctx, UserAuthInfoRequest.decode(r));
            default -> throw unexpected(UserAuthMessages.METHOD_SPECIFIC_60);
        }
    }

    private void expect(Awaiting state, int id) {
        if (awaiting != state) {
            throw unexpected(id);
        }
    }

    private SshException unexpected(int id) {
        return SshException.disconnect(PROTOCOL_ERROR, "unexpected message %d during authentication", id);
    }

    private void failure(ChannelHandlerContext ctx, UserAuthFailure failure) {
        if (awaiting == Awaiting.SERVICE || awaiting == Awaiting.LOCAL || awaiting == Awaiting.DONE) {
            throw unexpected(UserAuthMessages.FAILURE);
        }
        if (failure.partialSuccess()) {
            LOG.info("Authenticated using \"{}\" with partial success.", lastMethod);
            // As ssh: a new stage may accept keys the last one refused.
            untriedKeys = new ArrayDeque<>(allIdentities);
            passwordAttempts = 0;
            kbdAttempts = 0;
        }
        LOG.debug("Authentications that can continue: {}", String.join(",", failure.methods()));
        if (!failure.methods().equals(serverMethods)) {
            serverMethods = failure.methods();
            preferredIndex = 0;
        }
        tryNext(ctx);
    }

    /** Continues with the current method, or the next preferred one the server lists, or gives up. */
    private void tryNext(ChannelHandlerContext ctx) {
        List<String> preferred = config.preferredAuthentications();
        for (; preferredIndex < preferred.size(); preferredIndex++) {
            String method = preferred.get(preferredIndex);
            if (!serverMethods.contains(method) || !config.enabled(method)) {
                continue;
            }
            if (!method.equals(announcedMethod)) {
                announcedMethod = method;
                LOG.debug("Next authentication method: {}", method);
            }
            if (start(ctx, method)) {
                lastMethod = method;
                return;
            }
        }
        LOG.debug("No more authentication methods to try.");
        awaiting = Awaiting.DONE;
        result.tryFailure(new AuthenticationException(
                "Permission denied (" + String.join(",", serverMethods) + ")."));
        ctx.close();
    }

    /** Sends the method's next request (or starts a prompt for it); false when the method has nothing to try. */
    private boolean start(ChannelHandlerContext ctx, String method) {
        boolean interactive = config.interaction() != UserInteraction.NONE;
        switch (method) {
            case PublicKeyRequest.METHOD -> {
                offeredKey = untriedKeys.poll();
                if (offeredKey == null) {
                    return false;
                }
                SshPublicKey key = offeredKey.publicKey();
                String algorithm = signatureAlgorithm(key, serverSigAlgs);
                if (LOG.isDebugEnabled()) {
                    LOG.debug("Offering public key: {}", identity(offeredKey));
                }
                awaiting = Awaiting.PK_OK;
                send(ctx, method, new PublicKeyRequest(algorithm, key.blob(), null).encode());
                return true;
            }
            case PasswordRequest.METHOD -> {
                if (!interactive || passwordAttempts++ >= config.numberOfPasswordPrompts()) {
                    return false;
                }
                boolean retry = passwordAttempts > 1;
                String prompt = user + "@" + session.peerHost() + "'s password: ";
                ask(ctx, () -> {
                    if (retry) {
                        config.interaction().show("Permission denied, please try again.");
                    }
                    return config.interaction().prompt(prompt, false);
                }, password -> {
                    if (password == null) {
                        preferredIndex++;
                        tryNext(ctx);
                        return;
                    }
                    sendPassword(ctx, new PasswordRequest(PasswordRequest.utf8(password), null));
                    Arrays.fill(password, '\0');
                });
                return true;
            }
            case KeyboardInteractiveRequest.METHOD -> {
                if (!interactive || kbdAttempts++ >= config.numberOfPasswordPrompts()
                        || (kbdAttempts > 1 && !infoRequestSeen)) {
                    return false;
                }
                awaiting = Awaiting.KBD;
                send(ctx, method, new KeyboardInteractiveRequest("", "").encode());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void pkOk(ChannelHandlerContext ctx, UserAuthPkOk ok) {
        SshKeyPair key = offeredKey;
        byte[] blob = key.publicKey().blob();
        if (!Arrays.equals(blob, ok.keyBlob())) {
            throw SshException.disconnect(PROTOCOL_ERROR, "server replied with a different key");
        }
        String algorithm = ok.algorithm();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Server accepts key: {}", identity(key));
        }
        byte[] signed = PublicKeyRequest.signedData(session.sessionId(), user, CONNECTION_SERVICE, algorithm, blob);
        ask(ctx, () -> signOrNull(key, algorithm, signed), signature -> {
            if (signature == null) {
                tryNext(ctx);
                return;
            }
            awaiting = Awaiting.PK_RESULT;
            send(ctx, PublicKeyRequest.METHOD, new PublicKeyRequest(algorithm, blob, signature).encode());
        });
    }

    private static byte[] signOrNull(SshKeyPair key, String algorithm, byte[] data) {
        try {
            return key.sign(algorithm, data);
        } catch (RuntimeException e) {
            // An agent that refuses (a confirm-only key the user declined, a removed key) is a key that failed.
            LOG.info("Signing with {} failed: {}", key.publicKey().fingerprint(), e.getMessage());
            return null;
        }
    }

    private void changeRequest(ChannelHandlerContext ctx, UserAuthPasswdChangeReq request) {
        String who = user + "@" + session.peerHost();
        UserInteraction ui = config.interaction();
        ask(ctx, () -> {
            if (!request.prompt().isEmpty()) {
                ui.show(request.prompt());
            }
            char[] old = ui.prompt("Enter " + who + "'s old password: ", false);
            if (old == null) {
                return null;
            }
            while (true) {
                char[] fresh = ui.prompt("Enter " + who + "'s new password: ", false);
                if (fresh == null) {
                    Arrays.fill(old, '\0');
                    return null;
                }
                char[] again = ui.prompt("Retype " + who + "'s new password: ", false);
                boolean same = again != null && Arrays.equals(fresh, again);
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
                if (same) {
                    PasswordRequest change = new PasswordRequest(PasswordRequest.utf8(old),
                            PasswordRequest.utf8(fresh));
                    Arrays.fill(old, '\0');
                    Arrays.fill(fresh, '\0');
                    return change;
                }
                Arrays.fill(fresh, '\0');
                ui.show("Mismatch; try again, EOF to quit.");
            }
        }, change -> {
            if (change == null) {
                preferredIndex++;
                tryNext(ctx);
            } else {
                sendPassword(ctx, change);
            }
        });
    }

    private void infoRequest(ChannelHandlerContext ctx, UserAuthInfoRequest request) {
        infoRequestSeen = true;
        UserInteraction ui = config.interaction();
        ask(ctx, () -> {
            if (!request.name().isEmpty()) {
                ui.show(request.name());
            }
            if (!request.instruction().isEmpty()) {
                ui.show(request.instruction());
            }
            List<byte[]> answers = new ArrayList<>();
            for (UserAuthInfoRequest.Prompt p : request.prompts()) {
                // As ssh since 8.4: say who asks, since a server's prompt may look like anyone's.
                char[] answer = ui.prompt("(" + user + "@" + session.peerHost() + ") " + p.text(), p.echo());
                // As ssh, whose read_passphrase gives "" when it cannot ask: the server decides what that means.
                answers.add(answer == null ? new byte[0] : PasswordRequest.utf8(answer));
                if (answer != null) {
                    Arrays.fill(answer, '\0');
                }
            }
            return new UserAuthInfoResponse(answers);
        }, response -> {
            awaiting = Awaiting.KBD;
            ctx.writeAndFlush(response.toPayload(ctx.alloc()));
            response.destroy();
        });
    }

    private void sendPassword(ChannelHandlerContext ctx, PasswordRequest request) {
        awaiting = Awaiting.PASSWORD;
        byte[] data = request.encode();
        request.destroy();
        send(ctx, PasswordRequest.METHOD, data);
        Arrays.fill(data, (byte) 0);
    }

    private void send(ChannelHandlerContext ctx, String method, byte[] methodData) {
        ctx.writeAndFlush(new UserAuthRequest(user, CONNECTION_SERVICE, method, methodData).toPayload(ctx.alloc()));
    }

    /** Runs {@code work} where it may block, then {@code then} on the event loop if the connection is still up. */
    private <T> void ask(ChannelHandlerContext ctx, Supplier<T> work, Consumer<T> then) {
        awaiting = Awaiting.LOCAL;
        blocking.execute(() -> {
            T answer;
            try {
                answer = work.get();
            } catch (RuntimeException e) {
                ctx.executor().execute(() -> ctx.fireExceptionCaught(e));
                return;
            }
            ctx.executor().execute(() -> {
                if (awaiting == Awaiting.LOCAL && ctx.channel().isActive()) {
                    then.accept(answer);
                }
            });
        });
    }
}
