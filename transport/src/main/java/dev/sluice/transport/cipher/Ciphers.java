package dev.sluice.transport.cipher;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The packet ciphers Sluice implements, by wire name: the registry key exchange negotiates from.
 *
 * <p>{@code none} is deliberately not returned by {@link #byName}: it is the state before the first NEWKEYS, got
 * through {@link #none()}, and must never be negotiable by accident.
 */
public final class Ciphers {
    private static final Map<String, CipherAlgorithm> BY_NAME = Map.of(
            ChaCha20Poly1305.WIRE_NAME, ChaCha20Poly1305.INSTANCE,
            AesGcm.AES128_WIRE_NAME, AesGcm.AES128,
            AesGcm.AES256_WIRE_NAME, AesGcm.AES256,
            AesCtr.AES128.wireName(), AesCtr.AES128,
            AesCtr.AES192.wireName(), AesCtr.AES192,
            AesCtr.AES256.wireName(), AesCtr.AES256);

    /** OpenSSH 9's default order (ssh_config(5) Ciphers), restricted to the ciphers implemented here. */
    private static final List<String> DEFAULT_NAMES = List.of(
            ChaCha20Poly1305.WIRE_NAME,
            AesGcm.AES128_WIRE_NAME,
            AesGcm.AES256_WIRE_NAME,
            AesCtr.AES128.wireName(),
            AesCtr.AES192.wireName(),
            AesCtr.AES256.wireName());

    private Ciphers() {
    }

    /** The cipher with this wire name, or empty when it is unknown (or {@code null}, or {@code none}). */
    public static Optional<CipherAlgorithm> byName(String wireName) {
        return wireName == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(wireName));
    }

    /** The names to offer in KEXINIT by default, most preferred first (an immutable list). */
    public static List<String> defaultNames() {
        return DEFAULT_NAMES;
    }

    /** The {@code none} cipher, in force in both directions until the first NEWKEYS. */
    public static CipherAlgorithm none() {
        return NoneCipher.INSTANCE;
    }
}
