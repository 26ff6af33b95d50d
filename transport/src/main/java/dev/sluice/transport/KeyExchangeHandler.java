package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.HOST_KEY_NOT_VERIFIABLE;
import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;
import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.cipher.CipherAlgorithm;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.MacAlgorithm;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.cipher.PacketOpener;
import dev.sluice.transport.kex.KexContext;
import dev.sluice.transport.kex.KexMethod;
import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.kex.KexOutcome;
import dev.sluice.transport.kex.KexParty;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import dev.sluice.transport.message.DirectPayload;
import dev.sluice.transport.message.Disconnect;
import dev.sluice.transport.message.ExtInfo;
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
 * Owns key exchange for one connection, RFC 4253 sections 7 to 9: KEXINIT negotiation, running the negotiated
 * {@link KexMethod} in either role (the method computes K and H; this class picks the host key and signs, or checks
 * the server's key and signature), NEWKEYS and the cipher swap in the packet codec, strict KEX, rekeying (initiated
 * by either side) and the transport's generic messages (DISCONNECT, IGNORE, DEBUG, UNIMPLEMENTED).
 *
 * <p>Inbound it receives payload buffers from {@link PacketDecoder} and owns them: key exchange messages are consumed
 * here, the rest are passed on once the first exchange has completed. Outbound, from the moment our KEXINIT is sent
 * until our NEWKEYS is, every message of a higher layer is held in a {@link PendingWriteQueue} (which counts toward the
 * channel's writability, so sources pause) and released right after NEWKEYS. Confined to the event loop.
 */
final class KeyExchangeHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KeyExchangeHandler.class);


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
    private KexMethod method;
    private KexParty party;
    private SshKeyPair hostKey;
    private boolean ignoreNextKexPacket;
    private byte[] exchangeHash;
    private PacketOpener pendingOpener;
    private boolean newKeysSent;
    private boolean newKeysReceived;
    private long rekeyLimit = Long.MAX_VALUE;
    private ScheduledFuture<?> rekeyTimer;
    /** RekeyLimit: the configuration's, or what {@link TransportSession#rekeyLimit} set since. */
    private RekeyLimit limit;
    /** The block size of the current sealer, which RekeyLimit's default volume depends on. */
    private int sealerBlockSize;

    KeyExchangeHandler(TransportConfig config, TransportSession session, PacketDecoder decoder,
            PacketEncoder encoder) {
        this.config = config;
        this.limit = config.rekeyLimit();
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
        failHeldWrites();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelRekeyTimer();
        failHeldWrites();
    }

    /** Nearly always nothing is held: no exception (and stack trace) is made for every closing connection. */
    private void failHeldWrites() {
        if (!held.isEmpty()) {
            held.removeAndFailAll(new ClosedChannelException());
        }
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
        LOG.debug("SSH2_MSG_KEXINIT received");
        KexInit peer = KexInit.decode(SshReader.body(payload));
        if (localKexInit == null) {
            sendKexInit(ctx);
        }
        KexInit local = KexInit.decode(SshReader.of(Arrays.copyOfRange(localKexInit, 1, localKexInit.length)));
        boolean client = session.role() == Role.CLIENT;
        try {
            negotiated = Negotiation.negotiate(client ? local : peer, client ? peer : local, !initialDone);
        } catch (Negotiation.NoMatch e) {
            // OpenSSH's words on both sides (sshpkt_fatal): who, where, and the peer's list.
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "Unable to negotiate with %s port %d: %s",
                    session.peerHost(), session.peerPort(), e.describe(client));
        }
        if (!initialDone) {
            strict = negotiated.strictKex();
            if (strict && !first) {
                throw SshException.disconnect(PROTOCOL_ERROR, "strict KEX violation: KEXINIT was not the first packet");
            }
        }
        if (peer.firstKexPacketFollows() && !guessedRight(peer, local)) {
            ignoreNextKexPacket = true;
        }
        if (LOG.isDebugEnabled()) {
            logNegotiated(negotiated, client);
        }
        method = KexMethods.byName(negotiated.kex()).orElseThrow();
        if (client) {
            party = method.client(new Context(ctx));
        } else {
            hostKey = config.hostKeys().stream()
                    .filter(k -> k.publicKey().supportsSignatureAlgorithm(negotiated.hostKey()))
                    .findFirst()
                    .orElseThrow(() -> SshException.disconnect(KEY_EXCHANGE_FAILED, "no host key of type %s",
                            negotiated.hostKey()));
            party = method.server(new Context(ctx));
        }
        party.start();
        ctx.flush();
    }

    /** OpenSSH's kex_choose_conf lines: the method, the host key, then each direction, the inbound one first. */
    private static void logNegotiated(Negotiated n, boolean client) {
        LOG.debug("kex: algorithm: {}", n.kex());
        LOG.debug("kex: host key algorithm: {}", n.hostKey());
        String serverToClient = direction("server->client", n.cipherServerToClient(), n.macServerToClient(),
                n.compressionServerToClient());
        String clientToServer = direction("client->server", n.cipherClientToServer(), n.macClientToServer(),
                n.compressionClientToServer());
        LOG.debug("{}", client ? serverToClient : clientToServer);
        LOG.debug("{}", client ? clientToServer : serverToClient);
    }

    private static String direction(String name, String cipher, String mac, String compression) {
        return "kex: " + name + " cipher: " + cipher + " MAC: " + (mac.isEmpty() ? "<implicit>" : mac)
                + " compression: " + compression;
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
        if (party == null || exchangeHash != null) {
            throw SshException.disconnect(PROTOCOL_ERROR, "unexpected key exchange message %d", id);
        }
        KexOutcome outcome = party.receive(id, r);
        if (outcome == null) {
            ctx.flush();
            return;
        }
        byte[] secret = outcome.sharedSecret();
        try {
            if (session.role() == Role.CLIENT) {
                checkServer(outcome);
            }
        } catch (RuntimeException e) {
            Arrays.fill(secret, (byte) 0);
            throw e;
        }
        exchangeHash = outcome.exchangeHash();
        installKeys(ctx, secret);
    }

    /** The client's checks of RFC 4253 section 8: the key's type, its signature of H, and whether we trust it. */
    private void checkServer(KexOutcome outcome) {
        SshPublicKey serverKey = PublicKeys.fromBlob(outcome.hostKeyBlob());
        if (LOG.isDebugEnabled()) {
            LOG.debug("Server host key: {} {}", serverKey.keyType(), serverKey.fingerprint());
        }
        if (!serverKey.supportsSignatureAlgorithm(negotiated.hostKey())) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "host key type %s, negotiated %s",
                    serverKey.keyType(), negotiated.hostKey());
        }
        if (!serverKey.verify(negotiated.hostKey(), outcome.exchangeHash(), outcome.signature())) {
            throw SshException.disconnect(KEY_EXCHANGE_FAILED, "incorrect signature");
        }
        String refusal = config.hostKeyVerifier().verify(session.peerHost(), session.peerPort(), serverKey);
        if (refusal != null) {
            throw SshException.disconnect(HOST_KEY_NOT_VERIFIABLE, "%s", refusal);
        }
        session.initialHostKeyIfUnset(outcome.hostKeyBlob(), outcome.signature());
    }

    private void installKeys(ChannelHandlerContext ctx, byte[] secret) {
        session.sessionIdIfUnset(exchangeHash);
        KeyDerivation kd = new KeyDerivation(method.hash(), secret, exchangeHash, session.sessionId());
        try {
            SessionKeys keys = SessionKeys.derive(kd, negotiated, session.role());
            var sealer = keys.sealer();
            pendingOpener = keys.opener();
            sealerBlockSize = sealer.blockSize();
            rekeyLimit = limit.bytesFor(sealerBlockSize);
            send(ctx, new NewKeys());
            encoder.newKeys(sealer, strict, SessionKeys.outboundCompression(negotiated, session.role()));
            LOG.debug("rekey out after {} blocks", rekeyLimit / sealer.blockSize());
            LOG.debug("SSH2_MSG_NEWKEYS sent");
            LOG.debug("expecting SSH2_MSG_NEWKEYS");
            newKeysSent = true;
            if (!initialDone && session.role() == Role.SERVER && negotiated.peerWantsExtInfo()) {
                send(ctx, new ExtInfo(Map.of("server-sig-algs",
                        String.join(",", PublicKeys.defaultSignatureAlgorithms()).getBytes(StandardCharsets.US_ASCII))));
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
        LOG.debug("SSH2_MSG_NEWKEYS received");
        int block = pendingOpener.blockSize();
        LOG.debug("rekey in after {} blocks", config.rekeyLimit().bytesFor(block) / block);
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
        method = null;
        party = null;
        hostKey = null;
        exchangeHash = null;
        newKeysSent = false;
        newKeysReceived = false;
        ctx.fireUserEventTriggered(new KeyExchangeCompleted(done, initial));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == TransportSession.REKEY_REQUEST) {
            rekeyNow(ctx, "requested");
        } else if (evt instanceof TransportSession.RekeyLimitChange change) {
            limit = change.limit();
            if (initialDone) {
                rekeyLimit = limit.bytesFor(sealerBlockSize);
                scheduleTimedRekey(ctx);
            }
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
        Duration interval = limit.interval();
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
        // A server offers the algorithms it holds a key for, in the configured order (sshd's HostKeyAlgorithms).
        List<String> hostKeys = client ? config.hostKeyAlgorithms()
                : config.hostKeyAlgorithms().stream()
                        .filter(a -> config.hostKeys().stream().anyMatch(k -> k.publicKey().supportsSignatureAlgorithm(a)))
                        .toList();
        KexInit init = new KexInit(cookie, kex, hostKeys, config.ciphers(), config.ciphers(), config.macs(),
                config.macs(), config.compression(), config.compression(), List.of(), List.of(), false, 0);
        ByteBuf payload = init.toPayload(ctx.alloc());
        localKexInit = ByteBufUtil.getBytes(payload);
        ctx.writeAndFlush(payload);
        LOG.debug("SSH2_MSG_KEXINIT sent");
    }

    private static void send(ChannelHandlerContext ctx, SshMessage message) {
        ctx.write(message.toPayload(ctx.alloc()));
    }

    /** What the running {@link KexParty} sees of this connection. */
    private final class Context implements KexContext {
        private final ChannelHandlerContext ctx;

        Context(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public SecureRandom random() {
            return random;
        }

        @Override
        public void writeTranscriptHead(SshWriter w) {
            boolean client = session.role() == Role.CLIENT;
            w.writeBytes(session.clientVersion().getBytes(StandardCharsets.UTF_8))
                    .writeBytes(session.serverVersion().getBytes(StandardCharsets.UTF_8))
                    .writeBytes(client ? localKexInit : peerKexInit)
                    .writeBytes(client ? peerKexInit : localKexInit);
        }

        @Override
        public void send(SshMessage message) {
            KeyExchangeHandler.send(ctx, message);
        }

        @Override
        public byte[] hostKeyBlob() {
            return hostKey.publicKey().blob();
        }

        @Override
        public byte[] sign(byte[] h) {
            return hostKey.sign(negotiated.hostKey(), h);
        }

        @Override
        public int preferredGroupBits() {
            return dhGroupBits(negotiated);
        }

        @Override
        public void logEphemeralKey(byte[] privateKey) {
            if (config.keyLogFile() != null) {
                byte[] cookie = Arrays.copyOfRange(localKexInit, 1, 1 + KexInit.COOKIE_LENGTH);
                SessionKeyLog.append(config.keyLogFile(), cookie, privateKey);
            }
        }
    }

    /**
     * OpenSSH's group size for a group exchange (kex.c kex_choose_conf, dh_estimate): from the largest key, IV or MAC
     * key the negotiated algorithms need, 3072 bits for 128-bit strength, 7680 for 192, 8192 above.
     */
    static int dhGroupBits(Negotiated n) {
        int need = 0;
        for (String c : List.of(n.cipherClientToServer(), n.cipherServerToClient())) {
            CipherAlgorithm a = Ciphers.byName(c).orElseThrow();
            need = Math.max(need, Math.max(a.keyLength(), a.ivLength()));
        }
        for (String m : List.of(n.macClientToServer(), n.macServerToClient())) {
            need = Math.max(need, Macs.byName(m).map(MacAlgorithm::keyLength).orElse(0));
        }
        int bits = need * 8;
        return bits <= 112 ? 2048 : bits <= 128 ? 3072 : bits <= 192 ? 7680 : 8192;
    }
}
