package dev.sluice.transport;

import dev.sluice.transport.cipher.PacketOpener;
import dev.sluice.transport.cipher.PacketProtection;
import dev.sluice.transport.cipher.PacketSealer;
import java.util.Arrays;

/**
 * The keys one key exchange yields for our side, RFC 4253 section 7.2: IVs (A, B), encryption keys (C, D) and
 * integrity keys (E, F) derived for the negotiated cipher and MAC of each direction, turned into the outbound
 * {@link PacketSealer} and the inbound {@link PacketOpener}. The derived arrays are zeroed once the sealer and opener
 * hold their own copies.
 */
final class SessionKeys {
    private final PacketSealer sealer;
    private final PacketOpener opener;

    private SessionKeys(PacketSealer sealer, PacketOpener opener) {
        this.sealer = sealer;
        this.opener = opener;
    }

    /** Derives both directions' keys for {@code negotiated} and builds the sealer and opener of {@code role}. */
    static SessionKeys derive(KeyDerivation kd, Negotiated negotiated, Role role) {
        PacketProtection c2s = PacketProtection.of(negotiated.cipherClientToServer(), negotiated.macClientToServer());
        PacketProtection s2c = PacketProtection.of(negotiated.cipherServerToClient(), negotiated.macServerToClient());
        byte[] ivC2s = kd.derive('A', c2s.ivLength());
        byte[] ivS2c = kd.derive('B', s2c.ivLength());
        byte[] keyC2s = kd.derive('C', c2s.keyLength());
        byte[] keyS2c = kd.derive('D', s2c.keyLength());
        byte[] macC2s = kd.derive('E', c2s.macKeyLength());
        byte[] macS2c = kd.derive('F', s2c.macKeyLength());
        try {
            boolean client = role == Role.CLIENT;
            PacketSealer sealer = client ? c2s.sealer(keyC2s, ivC2s, macC2s) : s2c.sealer(keyS2c, ivS2c, macS2c);
            PacketOpener opener = client ? s2c.opener(keyS2c, ivS2c, macS2c) : c2s.opener(keyC2s, ivC2s, macC2s);
            return new SessionKeys(sealer, opener);
        } finally {
            for (byte[] b : new byte[][] {ivC2s, ivS2c, keyC2s, keyS2c, macC2s, macS2c}) {
                Arrays.fill(b, (byte) 0);
            }
        }
    }

    /** The compression negotiated for what {@code role} sends. */
    static String outboundCompression(Negotiated n, Role role) {
        return role == Role.CLIENT ? n.compressionClientToServer() : n.compressionServerToClient();
    }

    /** The compression negotiated for what {@code role} receives. */
    static String inboundCompression(Negotiated n, Role role) {
        return role == Role.CLIENT ? n.compressionServerToClient() : n.compressionClientToServer();
    }

    /** Seals what we send from our NEWKEYS on. */
    PacketSealer sealer() {
        return sealer;
    }

    /** Opens what we receive from the peer's NEWKEYS on. */
    PacketOpener opener() {
        return opener;
    }
}
