package dev.sluice.transport.kex;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key exchange methods Sluice implements, by wire name, with OpenSSH's default list and preference order
 * (ssh_config(5) KexAlgorithms, OpenSSH 9.9 and later). The SHA-1 and 1024-bit methods are implemented but left out of
 * the defaults: they work only when a configuration names them.
 */
public final class KexMethods {
    public static final String MLKEM768X25519_SHA256 = "mlkem768x25519-sha256";
    public static final String SNTRUP761X25519_SHA512 = "sntrup761x25519-sha512";
    public static final String SNTRUP761X25519_SHA512_OPENSSH = "sntrup761x25519-sha512@openssh.com";
    public static final String CURVE25519_SHA256 = "curve25519-sha256";
    public static final String CURVE25519_SHA256_LIBSSH = "curve25519-sha256@libssh.org";

    private static final Map<String, KexMethod> METHODS = new LinkedHashMap<>();

    static {
        add(new OneRoundKex(MLKEM768X25519_SHA256, "SHA-256",
                c -> new HybridKemAgreement(HybridKemAgreement.Kem.MLKEM768, "SHA-256", c.random())));
        add(new OneRoundKex(SNTRUP761X25519_SHA512, "SHA-512",
                c -> new HybridKemAgreement(HybridKemAgreement.Kem.SNTRUP761, "SHA-512", c.random())));
        add(new OneRoundKex(SNTRUP761X25519_SHA512_OPENSSH, "SHA-512",
                c -> new HybridKemAgreement(HybridKemAgreement.Kem.SNTRUP761, "SHA-512", c.random())));
        add(new OneRoundKex(CURVE25519_SHA256, "SHA-256", c -> new X25519Agreement(c.random(), c::logEphemeralKey)));
        add(new OneRoundKex(CURVE25519_SHA256_LIBSSH, "SHA-256", c -> new X25519Agreement(c.random(), c::logEphemeralKey)));
        add(new OneRoundKex("ecdh-sha2-nistp256", "SHA-256", c -> new EcdhAgreement("secp256r1", c.random())));
        add(new OneRoundKex("ecdh-sha2-nistp384", "SHA-384", c -> new EcdhAgreement("secp384r1", c.random())));
        add(new OneRoundKex("ecdh-sha2-nistp521", "SHA-512", c -> new EcdhAgreement("secp521r1", c.random())));
        add(new DhGroupExchange("diffie-hellman-group-exchange-sha256", "SHA-256"));
        add(fixed("diffie-hellman-group16-sha512", "SHA-512", DhGroups.GROUP16));
        add(fixed("diffie-hellman-group18-sha512", "SHA-512", DhGroups.GROUP18));
        add(fixed("diffie-hellman-group14-sha256", "SHA-256", DhGroups.GROUP14));
        // Legacy, never in the defaults.
        add(fixed("diffie-hellman-group14-sha1", "SHA-1", DhGroups.GROUP14));
        add(new DhGroupExchange("diffie-hellman-group-exchange-sha1", "SHA-1"));
        add(fixed("diffie-hellman-group1-sha1", "SHA-1", DhGroups.GROUP1));
    }

    private static final List<String> DEFAULTS = List.of(MLKEM768X25519_SHA256, SNTRUP761X25519_SHA512,
            SNTRUP761X25519_SHA512_OPENSSH, CURVE25519_SHA256, CURVE25519_SHA256_LIBSSH, "ecdh-sha2-nistp256",
            "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256");

    private KexMethods() {
    }

    private static void add(KexMethod m) {
        METHODS.put(m.name(), m);
    }

    private static KexMethod fixed(String name, String hash, BigInteger p) {
        return new OneRoundKex(name, hash, c -> new DhAgreement(p, DhGroups.GENERATOR, c.random()));
    }

    /** The method with this wire name, if Sluice implements it. */
    public static Optional<KexMethod> byName(String name) {
        return Optional.ofNullable(METHODS.get(name));
    }

    /** OpenSSH's default KexAlgorithms, in its order. */
    public static List<String> defaultNames() {
        return DEFAULTS;
    }

    /** Every method Sluice implements, defaults first, then the legacy ones. */
    public static List<String> supportedNames() {
        return List.copyOf(METHODS.keySet());
    }
}
