package dev.sluice.transport.cipher;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MACs Sluice implements, by wire name: the registry key exchange negotiates from. The SHA-1 MACs are
 * implemented but not offered by default ({@link #optInNames()}): a user must ask for them, as for every algorithm
 * built on SHA-1.
 */
public final class Macs {
    private static final Map<String, Hmac> BY_NAME = Map.of(
            Hmac.SHA2_256_ETM.wireName(), Hmac.SHA2_256_ETM,
            Hmac.SHA2_512_ETM.wireName(), Hmac.SHA2_512_ETM,
            Hmac.SHA1_ETM.wireName(), Hmac.SHA1_ETM,
            Hmac.SHA2_256.wireName(), Hmac.SHA2_256,
            Hmac.SHA2_512.wireName(), Hmac.SHA2_512,
            Hmac.SHA1.wireName(), Hmac.SHA1);

    /** OpenSSH 9's default order (ssh_config(5) MACs), without the UMACs and the SHA-1 MACs. */
    private static final List<String> DEFAULT_NAMES = List.of(
            Hmac.SHA2_256_ETM.wireName(),
            Hmac.SHA2_512_ETM.wireName(),
            Hmac.SHA2_256.wireName(),
            Hmac.SHA2_512.wireName());

    private static final List<String> OPT_IN_NAMES = List.of(Hmac.SHA1_ETM.wireName(), Hmac.SHA1.wireName());

    private Macs() {
    }

    /** The MAC with this wire name, or empty when it is unknown (or {@code null}). */
    public static Optional<MacAlgorithm> byName(String wireName) {
        return Optional.ofNullable(hmac(wireName));
    }

    /** The names to offer in KEXINIT by default, most preferred first (an immutable list). */
    public static List<String> defaultNames() {
        return DEFAULT_NAMES;
    }

    /** The names implemented but offered only when asked for (SHA-1), in OpenSSH's order. */
    public static List<String> optInNames() {
        return OPT_IN_NAMES;
    }

    static Hmac hmac(String wireName) {
        return wireName == null ? null : BY_NAME.get(wireName);
    }
}
