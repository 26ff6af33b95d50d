package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.HOST_KEY_NOT_VERIFIABLE;
import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;
import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.cipher.PacketOpener;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import dev.sluice.transport.message.DirectPayload;
import dev.sluice.transport.message.Disconnect;
import dev.sluice.transport.message.ExtInfo;
import dev.sluice.transport.message.KexEcdhInit;
import dev.sluice.transport.message.KexEcdhReply;
import dev.sluice.transport.message.KexInit;
import dev.sluice.transport.message.NewKeys;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.message.TransportMessages;
import dev.sluice.transport.message.Unimplemented;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns key exchange for one connection, RFC 4253 sections 7 to 9: KEXINIT negotiation, the {@code curve25519-sha256}
 * exchange in either role, NEWKEYS and the cipher swap in the packet codec, strict KEX, rekeying (initiated by either
 * side) and the transport's generic messages (DISCONNECT, IGNORE, DEBUG, UNIMPLEMENTED).
 *
 * <p>Inbound it receives payload buffers from {@link PacketDecoder} and owns them: key exchange messages are consumed
 * here, the rest are passed on once the first exchange has completed. Outbound, from the moment our KEXINIT is sent
 * until our NEWKEYS is, every message of a higher layer is held in a {@link PendingWriteQueue} (which counts toward the
 * channel's writability, so sources pause) and released right after NEWKEYS. Confined to the event loop.
 */
final class KeyExchangeHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KeyExchangeHandler.class);

    static final List<String> SUPPORTED_KEX = List.of(Curve25519Sha256.NAME, Curve25519Sha256.LIBSSH_NAME);
    static final List<String> SUPPORTED_HOST_KEYS = List.of("ssh-ed25519");

    private final TransportConfig config;
    private final TransportSession session;
    private final PacketDecoder decoder;
    private final PacketEncoder encoder;
    private final SecureRandom random = new SecureRandom();

    private PendingWriteQueue held;
    private boolean initialDone;
    private boolean strict;
    private boolean anyMessageReceived;

    // State of the exchange in progress; all reset when it completes.
    private byte[] localKexInit;
    private byte[] peerKexInit;
    private Negotiated negotiated;
    private Curve25519Sha256 exchange;
    private boolean ignoreNextKexPacket;
    private byte[] exchangeHash;
    private PacketOpener pendingOpener;
    private boolean newKeysSent;
    private boolean newKeysReceived;
    private long rekeyLimit = Long.MAX_VALUE;
    private ScheduledFuture<?> rekeyTimer;

    KeyExchangeHandler(TransportConfig config, TransportSession session, PacketDecoder decoder,
            PacketEncoder encoder) {
        this.config = config;
        this.session = session;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        held = new PendingWriteQueue(ctx);
        if (ctx.channel().isActive()) {
            sendKexInit(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (localKexInit == null && !initialDone) {
            sendKexInit(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelRekeyTimer();
        held.removeAndFailAll(new ClosedChannelException());
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelRekeyTimer();
        held.removeAndFailAll(new ClosedChannelException());
    }

    // ---- outbound ----

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if ((msg instanceof ByteBuf || msg instanceof DirectPayload) && holding()) {
            int id = msg instanceof ByteBuf ? ((ByteBuf) msg).getUnsignedByte(((ByteBuf) msg).readerIndex())
                    : ((DirectPayload) msg).payloadId();
            if (!TransportMessages.isKex(id) && !TransportMessages.isTransportGeneric(id)) {
                held.add(msg, promise);
                return;
            }
        }
        ctx.write(msg, promise);
        if (initialDone && localKexInit == null && encoder.bytesSinceRekey() > rekeyLimit) {
            LOG.debug("{}: outbound rekey limit reached", ctx.channel().remoteAddress());
            sendKexInit(ctx);
        }
    }

    private boolean holding() {
        return localKexInit != null && !newKeysSent;
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf payload = (ByteBuf) msg;
        int id = payload.getUnsignedByte(payload.readerIndex());
        boolean first = !anyMessageReceived;
        anyMessageReceived = true;
        if (id == TransportMessages.DISCONNECT) {
            try {
                receivedDisconnect(ctx, payload);
            } finally {
                payload.release();
            }
            return;
        }
        if (initialDone && passesUp(id) && (peerKexInit == null || newKeysReceived)) {
            ctx.fireChannelRead(payload);
            if (localKexInit == null && decoder.bytesSinceRekey() > rekeyLimit) {
                LOG.debug("{}: inbound rekey limit reached", ctx.channel().remoteAddress());
                sendKexInit(ctx);
            }
            return;
        }
        try {
            handleTransportMessage(ctx, id, payload, first);
        } finally {
            payload.release();
        }
    }

    /**
     * Service, EXT_INFO and the messages of the layers above (50 to 100); the rest of 1 to 49 is the transport's, and
     * numbers past the connection protocol's are nobody's, so they get UNIMPLEMENTED here (RFC 4253 section 11.4).
     */
    private static boolean passesUp(int id) {
        return (id >= TransportMessages.SERVICE_REQUEST && id <= TransportMessages.EXT_INFO)
                || (id >= TransportMessages.USERAUTH_FIRST && id <= TransportMessages.CONNECTION_LAST);
    }

    private void handleTransportMessage(ChannelHandlerContext ctx, int id, ByteBuf payload, boolean first) {
        if (!initialDone && strict && !TransportMessages.isKex(id)) {
            throw SshException.disconnect(PROTOCOL_ERROR, "strict KEX violation: unexpected packet type %d (seqnr %d)",
                    id, decoder.lastSequence());
        }
        SshReader r = SshReader.body(payload);
        switch (id) {
            case TransportMessages.KEXINIT -> receivedKexInit(ctx, payload, first);
            case TransportMessages.NEWKEYS -> receivedNewKeys(ctx, r);
            case TransportMessages.IGNORE, TransportMessages.DEBUG -> LOG.trace("ignored message {}", id);
            case TransportMessages.UNIMPLEMENTED -> LOG.debug("{}: peer did not understand our packet {}",
                    ctx.channel().remoteAddress(), Unimplemented.decode(r).sequenceNumber());
            default -> {
                if (id >= TransportMessages.KEX_METHOD_FIRST && id <= TransportMessages.KEX_METHOD_LAST
                        && negotiated != null) {
                    receivedKexMethodMessage(ctx, id, r);
                } else if (!initialDone || (peerKexInit != null && !newKeysReceived)) {
                    throw SshException.disconnect(PROTOCOL_ERROR, "unexpected message %d during key exchange", id);
                } else {
                    // Unknown transport-range message after key exchange: RFC 4253 section 11.4.
                    send(ctx, new Unimplemented(decoder.lastSequence()));
                    ctx.flush();
                }
            }
        }
    }

    private void receivedDisconnect(ChannelHandlerContext ctx, ByteBuf payload) {
        Disconnect d = Disconnect.decode(SshReader.body(payload));
        LOG.info("Received disconnect from {} port {}:{}: {}", session.peerHost(), session.peerPort(),
                d.reason().code(), d.description());
        session.closedIfUnset(new TransportClosed(d.reason(), d.description(), false));
        ctx.close();
    }

    private void receivedKexInit(ChannelHandlerContext ctx, ByteBuf payload, boolean first) {
        if (peerKexInit != null) {
            throw SshException.disconnect(PROTOCOL_ERROR, "duplicate KEXINIT during key exchange");
        }
        peerKexInit = ByteBufUtil.getBytes(payload);
        KexInit peer = KexInit.decode(SshReader.body(payload));
        if (localKexInit == null) {
            sendKexInit(ctx);
        }
        KexInit local = KexInit.decode(SshReader.of(Arrays.copyOfRange(localKexInit, 1, localKexInit.length)));
        boolean client = session.role() == Role.CLIENT;
        negotiated = Negotiation.negotiate(client ? local : peer, client ? peer : local, !initialDone);
        if (!initialDone) {
            strict = negotiated.strictKex();
            if (strict && !first) {
                throw SshException.disconnect(PROTOCOL_ERROR, "strict KEX violation: KEXINIT was not the first packet");
            }
        }
        if (peer.firstKexPacketFollows() && !guessedRight(peer, local)) {
            ignoreNextKexPacket = true;
        }
        LOG.debug("{}: negotiated {}", ctx.channel().remoteAddress(), negotiated);
        if (client) {
            exchange = new Curve25519Sha256(random);
            send(ctx, new KexEcdhInit(exchange.publicKey()));
            ctx.flush();
        }
    }

    /** RFC 4253 section 7: a guessed first packet counts only if both preferred kex and host key algorithms agree. */
    private static boolean guessedRight(KexInit peer, KexInit local) {
        List<String> peerKex = peer.kexAlgorithms();
        List<String> localKex = local.kexAlgorithms();
        return !peerKex.isEmpty() && !localKex.isEmpty() && peerKex.get(0).equals(localKex.get(0))
                && peer.serverHostKeyAlgorithms().get(0).equals(local.serverHostKeyAlgorithms().get(0));
    }

    private void receivedKexMethodMessage(ChannelHandlerContext ctx, int id, SshReader r) {
        if (ignoreNextKexPacket) {
            ignoreNextKexPacket = false;
            return;
        }
        if (session.role() == Role.SERVER && id == KexEcdhInit.ID && exchange == null && exchangeHash == null) {
            serverExchange(ctx, KexEcdhInit.decode(r));
        } else if (session.role() == Role.CLIENT && id == KexEcdhReply.ID && exchange != null
                && exchangeHash == null) {
            clientExchange(ctx, KexEcdhReply.decode(r));
        } else {
            throw SshException.disconnect(PROTOCOL_ERROR, "unexpected key exchange message %d", id);
        }
    }

    private void serverExchange(ChannelHandlerContext ctx, KexEcdhInit init) {
        SshKeyPair hostKey = config.hostKeys().stream()
                .filter(k -> k.publicKey().signatureAlgorithms().contains(negotiated.hostKey()))
                .findFirst()
                .orElseThrow(() -> SshException.disconnect(KEY_EXCHANGE_FAILED, "no host key of type %s",
                        negotiated.hostKey()));
        exchange = new Curve25519Sha256(random);
        byte[] serverPublic = exchange.publicKey();
        logSessionKey(exchange);
        byte[] secret = exchange.agree(init.clientPublic());
        byte[] hostKeyBlob = hostKey.publicKey().blob();
        exchangeHash = exchangeHash(hostKeyBlob, init.clientPublic(), serverPublic, secret);
        send(ctx, new KexEcdhReply(hostKeyBlob, serverPublic, hostKey.sign(negotiated.hostKey(), exchangeHash)));
        installKeys(ctx, secret);
    }

    private void clientExchange(ChannelHandlerContext ctx, KexEcdhReply reply) {
        SshPublicKey hostKey = PublicKeys.fromBlob(reply.hostKey());
        if (!hostKey.signatureAlgorithms().contains(negotiated.hostKey())) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "host key type %s, negotiated %s", hostKey.keyType(),
                    negotiated.hostKey());
        }
        byte[] clientPublic = exchange.publicKey();
        logSessionKey(exchange);
        byte[] secret = exchange.agree(reply.serverPublic());
        exchangeHash = exchangeHash(reply.hostKey(), clientPublic, reply.serverPublic(), secret);
        if (!hostKey.verify(negotiated.hostKey(), exchangeHash, reply.signature())) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "incorrect signature");
        }
        String refusal = config.hostKeyVerifier().verify(session.peerHost(), session.peerPort(), hostKey);
        if (refusal != null) {
            throw SshException.disconnect(HOST_KEY_NOT_VERIFIABLE, "%s", refusal);
        }
        installKeys(ctx, secret);
    }

    /** With a key log configured, records our cookie and ephemeral key so Wireshark can decrypt this session. */
    private void logSessionKey(Curve25519Sha256 kex) {
        if (config.keyLogFile() != null) {
            byte[] key = kex.privateKey();
            try {
                byte[] cookie = Arrays.copyOfRange(localKexInit, 1, 1 + KexInit.COOKIE_LENGTH);
                SessionKeyLog.append(config.keyLogFile(), cookie, key);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** H of RFC 8731 section 3.1 (RFC 5656 section 4): the hash of everything both sides said. */
    private byte[] exchangeHash(byte[] hostKeyBlob, byte[] clientPublic, byte[] serverPublic, byte[] secret) {
        boolean client = session.role() == Role.CLIENT;
        SshWriter w = SshWriter.heap();
        w.writeBytes(session.clientVersion().getBytes(StandardCharsets.UTF_8))
                .writeBytes(session.serverVersion().getBytes(StandardCharsets.UTF_8))
                .writeBytes(client ? localKexInit : peerKexInit)
                .writeBytes(client ? peerKexInit : localKexInit)
                .writeBytes(hostKeyBlob)
                .writeBytes(clientPublic)
                .writeBytes(serverPublic)
                .writeRaw(secret);
        try {
            MessageDigest md = MessageDigest.getInstance(Curve25519Sha256.HASH);
            md.update(w.buffer().nioBuffer());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            w.buffer().setZero(0, w.buffer().capacity());
        }
    }

    private void installKeys(ChannelHandlerContext ctx, byte[] secret) {
        session.sessionIdIfUnset(exchangeHash);
        KeyDerivation kd = new KeyDerivation(Curve25519Sha256.HASH, secret, exchangeHash, session.sessionId());
        try {
            SessionKeys keys = SessionKeys.derive(kd, negotiated, session.role());
            var sealer = keys.sealer();
            pendingOpener = keys.opener();
            rekeyLimit = config.rekeyLimit().bytesFor(sealer.blockSize());
            send(ctx, new NewKeys());
            encoder.newKeys(sealer, strict, SessionKeys.outboundCompression(negotiated, session.role()));
            newKeysSent = true;
            if (!initialDone && session.role() == Role.SERVER && negotiated.peerWantsExtInfo()) {
                send(ctx, new ExtInfo(Map.of("server-sig-algs",
                        String.join(",", SUPPORTED_HOST_KEYS).getBytes(StandardCharsets.US_ASCII))));
            }
            // Everything the layers above wrote during the exchange goes out under the new keys.
            held.removeAndWriteAll();
            ctx.flush();
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        maybeFinish(ctx);
    }

    private void receivedNewKeys(ChannelHandlerContext ctx, SshReader r) {
        NewKeys.decode(r);
        if (pendingOpener == null || newKeysReceived) {
            throw SshException.disconnect(PROTOCOL_ERROR, "unexpected NEWKEYS");
        }
        decoder.newKeys(pendingOpener, strict,
                SessionKeys.inboundCompression(negotiated, session.role()));
        pendingOpener = null;
        newKeysReceived = true;
        maybeFinish(ctx);
    }

    private void maybeFinish(ChannelHandlerContext ctx) {
        if (!newKeysSent || !newKeysReceived) {
            return;
        }
        boolean initial = !initialDone;
        Negotiated done = negotiated;
        session.negotiated(done);
        session.keyExchangeCompleted();
        scheduleTimedRekey(ctx);
        initialDone = true;
        localKexInit = null;
        peerKexInit = null;
        negotiated = null;
        exchange = null;
        exchangeHash = null;
        newKeysSent = false;
        newKeysReceived = false;
        LOG.debug("{}: key exchange complete: {}", ctx.channel().remoteAddress(), done);
        ctx.fireUserEventTriggered(new KeyExchangeCompleted(done, initial));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == TransportSession.REKEY_REQUEST) {
            rekeyNow(ctx, "requested");
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Starts a key exchange unless one is running or the first has not completed (then new keys are coming). */
    private void rekeyNow(ChannelHandlerContext ctx, String why) {
        if (initialDone && localKexInit == null && ctx.channel().isActive()) {
            LOG.debug("{}: rekeying ({})", ctx.channel().remoteAddress(), why);
            sendKexInit(ctx);
        }
    }

    /** RekeyLimit's time: the next exchange is due that long after this one completed. */
    private void scheduleTimedRekey(ChannelHandlerContext ctx) {
        cancelRekeyTimer();
        Duration interval = config.rekeyLimit().interval();
        if (!interval.isZero()) {
            rekeyTimer = ctx.executor().schedule(() -> rekeyNow(ctx, "time limit"), interval.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void cancelRekeyTimer() {
        if (rekeyTimer != null) {
            rekeyTimer.cancel(false);
            rekeyTimer = null;
        }
    }

    private void sendKexInit(ChannelHandlerContext ctx) {
        byte[] cookie = new byte[KexInit.COOKIE_LENGTH];
        random.nextBytes(cookie);
        boolean client = session.role() == Role.CLIENT;
        List<String> kex = new ArrayList<>(config.kexAlgorithms());
        if (!initialDone) {
            if (client) {
                kex.add(Negotiation.EXT_INFO_C);
                kex.add(Negotiation.STRICT_C);
                kex.add(Negotiation.STRICT_C_STD);
            } else {
                kex.add(Negotiation.STRICT_S);
                kex.add(Negotiation.STRICT_S_STD);
            }
        }
        List<String> hostKeys = client ? SUPPORTED_HOST_KEYS
                : config.hostKeys().stream().flatMap(k -> k.publicKey().signatureAlgorithms().stream()).distinct().toList();
        KexInit init = new KexInit(cookie, kex, hostKeys, config.ciphers(), config.ciphers(), config.macs(),
                config.macs(), config.compression(), config.compression(), List.of(), List.of(), false, 0);
        ByteBuf payload = init.toPayload(ctx.alloc());
        localKexInit = ByteBufUtil.getBytes(payload);
        ctx.writeAndFlush(payload);
    }

    private static void send(ChannelHandlerContext ctx, SshMessage message) {
        ctx.write(message.toPayload(ctx.alloc()));
    }
}
