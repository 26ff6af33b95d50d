package dev.sluice.transport.cipher;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One way a direction can be protected, for tests that run over all of them: {@code none}, each AEAD cipher, and
 * each non-AEAD cipher with each MAC (opt-in ones included). Makes sealer and opener from the same random keys.
 */
record CipherSuite(String name, PacketProtection protection) {

    /** Every suite Sluice implements. */
    static List<CipherSuite> all() {
        List<CipherSuite> all = new ArrayList<>();
        all.add(new CipherSuite("none", null));
        all.addAll(authenticating());
        return all;
    }

    /** Every suite that authenticates packets (all but {@code none}). */
    static List<CipherSuite> authenticating() {
        List<String> macs = new ArrayList<>(Macs.defaultNames());
        macs.addAll(Macs.optInNames());
        List<CipherSuite> list = new ArrayList<>();
        for (String c : Ciphers.defaultNames()) {
            if (Ciphers.byName(c).orElseThrow().isAead()) {
                list.add(new CipherSuite(c, PacketProtection.of(c, null)));
            } else {
                for (String m : macs) {
                    list.add(new CipherSuite(c + " " + m, PacketProtection.of(c, m)));
                }
            }
        }
        return list;
    }

    /** Random key material for one direction: key, IV, MAC key. */
    byte[][] keys(Random random) {
        if (protection == null) {
            return new byte[][] {new byte[0], new byte[0], new byte[0]};
        }
        return new byte[][] {TestPackets.payload(protection.keyLength(), random),
            TestPackets.payload(protection.ivLength(), random), TestPackets.payload(protection.macKeyLength(), random)};
    }

    PacketSealer sealer(byte[][] k) {
        return protection == null ? Ciphers.none().sealer(k[0], k[1]) : protection.sealer(k[0], k[1], k[2]);
    }

    PacketOpener opener(byte[][] k) {
        return protection == null ? Ciphers.none().opener(k[0], k[1]) : protection.opener(k[0], k[1], k[2]);
    }

    @Override
    public String toString() {
        return name;
    }
}
