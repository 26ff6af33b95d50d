package dev.sluice.transport.kex;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;
import dev.sluice.transport.message.KexEcdhInit;
import dev.sluice.transport.message.KexEcdhReply;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.Arrays;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key exchange of one round trip, message numbers 30 and 31: ECDH (RFC 5656 section 4), curve25519 (RFC 8731),
 * the fixed Diffie-Hellman groups (RFC 4253 section 8, RFC 8268: the mpints e and f are the same octets as strings)
 * and the hybrid post-quantum methods (sntrup761x25519, draft-ietf-sshm-mlkem-hybrid-kex). They differ only in the
 * {@link Agreement} and the hash:
 * {@code H = HASH(V_C || V_S || I_C || I_S || string K_S || string Q_C || string Q_S || K)}.
 */
final class OneRoundKex implements KexMethod {
    private static final Logger LOG = LoggerFactory.getLogger(OneRoundKex.class);
    private final String name;
    private final String hash;
    private final Function<KexContext, Agreement> agreements;

    OneRoundKex(String name, String hash, Function<KexContext, Agreement> agreements) {
        this.name = name;
        this.hash = hash;
        this.agreements = agreements;
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

    private byte[] exchangeHash(KexContext context, byte[] hostKey, byte[] clientValue, byte[] serverValue,
            byte[] secret) {
        SshWriter w = SshWriter.heap();
        context.writeTranscriptHead(w);
        w.writeBytes(hostKey).writeBytes(clientValue).writeBytes(serverValue).writeRaw(secret);
        return ExchangeHash.digest(hash, w);
    }

    private final class Client implements KexParty {
        private final KexContext context;
        private Agreement agreement;
        private byte[] clientValue;

        Client(KexContext context) {
            this.context = context;
        }

        @Override
        public void start() {
            agreement = agreements.apply(context);
            clientValue = agreement.clientValue();
            context.send(new KexEcdhInit(clientValue));
            // OpenSSH's kexgen names every one-round method's reply by the ECDH message (both are number 31).
            LOG.debug("expecting SSH2_MSG_KEX_ECDH_REPLY");
        }

        @Override
        public KexOutcome receive(int id, SshReader r) {
            if (id != KexEcdhReply.ID || agreement == null) {
                throw SshException.disconnect(PROTOCOL_ERROR, "unexpected key exchange message %d", id);
            }
            KexEcdhReply reply = KexEcdhReply.decode(r);
            LOG.debug("SSH2_MSG_KEX_ECDH_REPLY received");
            Agreement a = agreement;
            agreement = null;
            byte[] secret = a.clientSecret(reply.serverPublic());
            try {
                byte[] h = exchangeHash(context, reply.hostKey(), clientValue, reply.serverPublic(), secret);
                return new KexOutcome(secret, h, reply.hostKey(), reply.signature());
            } catch (RuntimeException e) {
                Arrays.fill(secret, (byte) 0);
                throw e;
            }
        }
    }

    private final class Server implements KexParty {
        private final KexContext context;
        private boolean done;

        Server(KexContext context) {
            this.context = context;
        }

        @Override
        public void start() {
        }

        @Override
        public KexOutcome receive(int id, SshReader r) {
            if (id != KexEcdhInit.ID || done) {
                throw SshException.disconnect(PROTOCOL_ERROR, "unexpected key exchange message %d", id);
            }
            done = true;
            byte[] clientValue = KexEcdhInit.decode(r).clientPublic();
            Agreement.Response response = agreements.apply(context).serverRespond(clientValue);
            byte[] hostKey = context.hostKeyBlob();
            byte[] secret = response.sharedSecret();
            byte[] h;
            try {
                h = exchangeHash(context, hostKey, clientValue, response.serverValue(), secret);
            } catch (RuntimeException e) {
                Arrays.fill(secret, (byte) 0);
                throw e;
            }
            byte[] signature = context.sign(h);
            context.send(new KexEcdhReply(hostKey, response.serverValue(), signature));
            return new KexOutcome(secret, h, hostKey, signature);
        }
    }
}
