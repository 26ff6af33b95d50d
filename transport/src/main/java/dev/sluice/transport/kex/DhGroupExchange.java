package dev.sluice.transport.kex;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;
import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;
import dev.sluice.transport.message.KexDhGexGroup;
import dev.sluice.transport.message.KexDhGexInit;
import dev.sluice.transport.message.KexDhGexReply;
import dev.sluice.transport.message.KexDhGexRequest;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Diffie-Hellman group exchange, RFC 4419 ({@code diffie-hellman-group-exchange-sha256} and the SHA-1 legacy form):
 * the client asks for a group size (min, n, max), the server picks a safe prime among the RFC 3526 MODP groups, then
 * the exchange runs as plain DH with {@code H = HASH(V_C || V_S || I_C || I_S || string K_S || uint32 min ||
 * uint32 n || uint32 max || mpint p || mpint g || mpint e || mpint f || mpint K)}. The sizes in H are the ones the
 * client sent, before the server clamps them.
 */
final class DhGroupExchange implements KexMethod {
    private static final Logger LOG = LoggerFactory.getLogger(DhGroupExchange.class);
    /** OpenSSH's bounds (dh.h DH_GRP_MIN, DH_GRP_MAX): nothing under 2048 bits, nothing over 8192. */
    static final int GROUP_MIN = 2048;
    static final int GROUP_MAX = 8192;

    private final String name;
    private final String hash;

    DhGroupExchange(String name, String hash) {
        this.name = name;
        this.hash = hash;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String hash() {
        return hash;
    }

    @Override
    public KexParty client(KexContext context) {
        return new Client(context);
    }

    @Override
    public KexParty server(KexContext context) {
        return new Server(context);
    }

    /**
     * The group a server offers for a request, as OpenSSH's choose_dh with the RFC 3526 groups as its moduli: the
     * smallest group of at least n bits within [min, max], else the largest within; null if none fits.
     */
    static BigInteger choose(int min, int n, int max) {
        BigInteger below = null;
        for (BigInteger p : DhGroups.EXCHANGEABLE) {
            int bits = p.bitLength();
            if (bits < min || bits > max) {
                continue;
            }
            if (bits >= n) {
                return p;
            }
            below = p;
        }
        return below;
    }

    private byte[] exchangeHash(KexContext context, byte[] hostKey, KexDhGexRequest request, BigInteger p,
            BigInteger g, byte[] e, byte[] f, byte[] secret) {
        SshWriter w = SshWriter.heap();
        context.writeTranscriptHead(w);
        w.writeBytes(hostKey).writeUint32(request.min()).writeUint32(request.n()).writeUint32(request.max())
                .writeMpint(p).writeMpint(g).writeBytes(e).writeBytes(f).writeRaw(secret);
        return ExchangeHash.digest(hash, w);
    }

    private final class Client implements KexParty {
        private final KexContext context;
        private KexDhGexRequest request;
        private BigInteger p;
        private BigInteger g;
        private DhAgreement agreement;
        private byte[] e;

        Client(KexContext context) {
            this.context = context;
        }

        @Override
        public void start() {
            int n = Math.max(GROUP_MIN, Math.min(GROUP_MAX, context.preferredGroupBits()));
            request = new KexDhGexRequest(GROUP_MIN, n, GROUP_MAX);
            context.send(request);
            LOG.debug("SSH2_MSG_KEX_DH_GEX_REQUEST({}<{}<{}) sent", GROUP_MIN, n, GROUP_MAX);
            LOG.debug("expecting SSH2_MSG_KEX_DH_GEX_GROUP");
        }

        @Override
        public KexOutcome receive(int id, SshReader r) {
            if (id == KexDhGexGroup.ID && agreement == null && request != null) {
                KexDhGexGroup group = KexDhGexGroup.decode(r);
                LOG.debug("SSH2_MSG_KEX_DH_GEX_GROUP received");
                p = group.p();
                g = group.g();
                int bits = p.bitLength();
                if (p.signum() <= 0 || bits < request.min() || bits > request.max()) {
                    throw SshException.disconnect(KEY_EXCHANGE_FAILED, "DH_GEX group out of range: %d !< %d !< %d",
                            request.min(), bits, request.max());
                }
                if (g.compareTo(BigInteger.ONE) <= 0 || g.compareTo(p.subtract(BigInteger.ONE)) >= 0) {
                    throw SshException.disconnect(KEY_EXCHANGE_FAILED, "DH_GEX generator out of range");
                }
                agreement = new DhAgreement(p, g, context.random());
                e = agreement.clientValue();
                context.send(new KexDhGexInit(e));
                LOG.debug("SSH2_MSG_KEX_DH_GEX_INIT sent");
                LOG.debug("expecting SSH2_MSG_KEX_DH_GEX_REPLY");
                return null;
            }
            if (id == KexDhGexReply.ID && agreement != null && e != null) {
                KexDhGexReply reply = KexDhGexReply.decode(r);
                LOG.debug("SSH2_MSG_KEX_DH_GEX_REPLY received");
                byte[] secret = agreement.clientSecret(reply.f());
                agreement = null;
                try {
                    byte[] h = exchangeHash(context, reply.hostKey(), request, p, g, e, reply.f(), secret);
                    return new KexOutcome(secret, h, reply.hostKey(), reply.signature());
                } catch (RuntimeException ex) {
                    Arrays.fill(secret, (byte) 0);
                    throw ex;
                }
            }
            throw SshException.disconnect(PROTOCOL_ERROR, "unexpected key exchange message %d", id);
        }
    }

    private final class Server implements KexParty {
        private final KexContext context;
        private KexDhGexRequest request;
        private BigInteger p;
        private boolean done;

        Server(KexContext context) {
            this.context = context;
        }

        @Override
        public void start() {
        }

        @Override
        public KexOutcome receive(int id, SshReader r) {
            if (id == KexDhGexRequest.ID && request == null) {
                request = KexDhGexRequest.decode(r);
                // uint32 fields: compare as unsigned, clamped to OpenSSH's bounds (kexgexs.c).
                long min = Math.max(GROUP_MIN, Integer.toUnsignedLong(request.min()));
                long max = Math.min(GROUP_MAX, Integer.toUnsignedLong(request.max()));
                long n = Math.min(GROUP_MAX, Math.max(GROUP_MIN, Integer.toUnsignedLong(request.n())));
                if (max < min || n < min || max < n) {
                    throw SshException.disconnect(KEY_EXCHANGE_FAILED, "DH_GEX_REQUEST, bad parameters: %d !< %d !< %d",
                            min, n, max);
                }
                p = choose((int) min, (int) n, (int) max);
                if (p == null) {
                    throw SshException.disconnect(KEY_EXCHANGE_FAILED, "no DH group between %d and %d bits", min, max);
                }
                context.send(new KexDhGexGroup(p, DhGroups.GENERATOR));
                return null;
            }
            if (id == KexDhGexInit.ID && p != null && !done) {
                done = true;
                byte[] e = KexDhGexInit.decode(r).e();
                Agreement.Response response = new DhAgreement(p, DhGroups.GENERATOR, context.random())
                        .serverRespond(e);
                byte[] hostKey = context.hostKeyBlob();
                byte[] secret = response.sharedSecret();
                byte[] h;
                try {
                    h = exchangeHash(context, hostKey, request, p, DhGroups.GENERATOR, e, response.serverValue(),
                            secret);
                } catch (RuntimeException ex) {
                    Arrays.fill(secret, (byte) 0);
                    throw ex;
                }
                byte[] signature = context.sign(h);
                context.send(new KexDhGexReply(hostKey, response.serverValue(), signature));
                return new KexOutcome(secret, h, hostKey, signature);
            }
            throw SshException.disconnect(PROTOCOL_ERROR, "unexpected key exchange message %d", id);
        }
    }
}
