package dev.sluice.transport;

import static dev.sluice.transport.DisconnectReason.KEY_EXCHANGE_FAILED;

import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.message.KexInit;
import java.util.List;

/**
 * Algorithm negotiation of RFC 4253 section 7.1: for each kind, the first algorithm on the client's list that the
 * server also lists. A failure is a {@link NoMatch}, from which the caller builds OpenSSH's message (kex.c
 * kex_choose_conf, sshpkt_fatal): "no matching cipher found. Their offer: …".
 */
final class Negotiation {
    static final String EXT_INFO_C = "ext-info-c";
    static final String EXT_INFO_S = "ext-info-s";
    static final String STRICT_C = "kex-strict-c-v00@openssh.com";
    static final String STRICT_S = "kex-strict-s-v00@openssh.com";
    static final String STRICT_C_STD = "kex-strict-c";
    static final String STRICT_S_STD = "kex-strict-s";

    private Negotiation() {
    }

    /** Markers that ride in the kex list but are not key exchange methods. */
    static boolean isMarker(String name) {
        return name.startsWith("ext-info-") || name.startsWith("kex-strict-");
    }

    static Negotiated negotiate(KexInit client, KexInit server, boolean initial) {
        String kex = choose("key exchange method", client.kexAlgorithms(), server.kexAlgorithms(), true);
        String hostKey = choose("host key type", client.serverHostKeyAlgorithms(), server.serverHostKeyAlgorithms(),
                false);
        String encC2s = choose("cipher", client.encryptionClientToServer(), server.encryptionClientToServer(), false);
        String encS2c = choose("cipher", client.encryptionServerToClient(), server.encryptionServerToClient(), false);
        String macC2s = Ciphers.byName(encC2s).orElseThrow().isAead() ? ""
                : choose("MAC", client.macClientToServer(), server.macClientToServer(), false);
        String macS2c = Ciphers.byName(encS2c).orElseThrow().isAead() ? ""
                : choose("MAC", client.macServerToClient(), server.macServerToClient(), false);
        String compC2s = choose("compression method", client.compressionClientToServer(),
                server.compressionClientToServer(), false);
        String compS2c = choose("compression method", client.compressionServerToClient(),
                server.compressionServerToClient(), false);
        // The markers count only in the first KEXINIT (strict KEX draft section 3.1, RFC 8308 section 2.1).
        boolean strict = initial
                && ((client.kexAlgorithms().contains(STRICT_C) && server.kexAlgorithms().contains(STRICT_S))
                || (client.kexAlgorithms().contains(STRICT_C_STD) && server.kexAlgorithms().contains(STRICT_S_STD)));
        boolean extInfo = initial && client.kexAlgorithms().contains(EXT_INFO_C);
        return new Negotiated(kex, hostKey, encC2s, encS2c, macC2s, macS2c, compC2s, compS2c, strict, extInfo);
    }

    private static String choose(String what, List<String> client, List<String> server, boolean skipMarkers) {
        for (String c : client) {
            if (skipMarkers && isMarker(c)) {
                continue;
            }
            if (server.contains(c)) {
                return c;
            }
        }
        throw new NoMatch(what, client, server);
    }

    /** No algorithm of one kind is on both lists: KEY_EXCHANGE_FAILED, with both offers for the message. */
    static final class NoMatch extends SshException {
        private static final long serialVersionUID = 1L;

        /** OpenSSH's name for the kind: "key exchange method", "host key type", "cipher", "MAC", … */
        final String what;
        final List<String> client;
        final List<String> server;

        NoMatch(String what, List<String> client, List<String> server) {
            super(KEY_EXCHANGE_FAILED, "no matching " + what + " found");
            this.what = what;
            this.client = List.copyOf(client);
            this.server = List.copyOf(server);
        }

        /** OpenSSH's text, seen from one side: "no matching cipher found. Their offer: a,b". */
        String describe(boolean localIsClient) {
            return "no matching " + what + " found. Their offer: " + String.join(",", localIsClient ? server : client);
        }
    }
}
