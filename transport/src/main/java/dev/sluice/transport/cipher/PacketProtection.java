package dev.sluice.transport.cipher;

import java.util.Objects;
import java.util.Optional;

/**
 * What protects one direction of a connection after NEWKEYS: the negotiated cipher and, for a cipher that does not
 * authenticate on its own, the negotiated MAC. Says how many bytes of IV, key and integrity key the key exchange
 * must derive (RFC 4253 section 7.2) and builds the {@link PacketSealer} or {@link PacketOpener} from them.
 *
 * <p>Immutable. As OpenSSH does, the MAC name is ignored for AEAD ciphers (no MAC is negotiated for them).
 */
public final class PacketProtection {
    private final CipherAlgorithm cipher;
    private final Hmac mac;

    private PacketProtection(CipherAlgorithm cipher, Hmac mac) {
        this.cipher = cipher;
        this.mac = mac;
    }

    /**
     * The protection of {@code cipherName} with {@code macName}.
     *
     * @param macName ignored (may be empty or null) when the cipher is AEAD
     * @throws IllegalArgumentException when a name is unknown, or a non-AEAD cipher has no MAC
     */
    public static PacketProtection of(String cipherName, String macName) {
        CipherAlgorithm cipher = Ciphers.byName(cipherName)
                .orElseThrow(() -> new IllegalArgumentException("Unsupported cipher: " + cipherName));
        if (cipher.isAead()) {
            return new PacketProtection(cipher, null);
        }
        Hmac mac = Macs.hmac(macName);
        if (mac == null) {
            throw new IllegalArgumentException("Unsupported MAC: " + macName);
        }
        return new PacketProtection(cipher, mac);
    }

    public CipherAlgorithm cipher() {
        return cipher;
    }

    /** The MAC, empty for an AEAD cipher. */
    public Optional<MacAlgorithm> mac() {
        return Optional.ofNullable(mac);
    }

    /** Bytes of initial IV to derive (keys A and B). */
    public int ivLength() {
        return cipher.ivLength();
    }

    /** Bytes of encryption key to derive (keys C and D). */
    public int keyLength() {
        return cipher.keyLength();
    }

    /** Bytes of integrity key to derive (keys E and F); 0 for an AEAD cipher. */
    public int macKeyLength() {
        return mac == null ? 0 : mac.keyLength();
    }

    /** The sealer keyed by copies of the arrays; the caller zeroes its arrays afterwards. */
    public PacketSealer sealer(byte[] key, byte[] iv, byte[] macKey) {
        if (mac == null) {
            return cipher.sealer(key, iv);
        }
        return ctr().sealer(key, iv, mac, Objects.requireNonNull(macKey));
    }

    /** The opener keyed by copies of the arrays; the caller zeroes its arrays afterwards. */
    public PacketOpener opener(byte[] key, byte[] iv, byte[] macKey) {
        if (mac == null) {
            return cipher.opener(key, iv);
        }
        return ctr().opener(key, iv, mac, Objects.requireNonNull(macKey));
    }

    /** The non-AEAD cipher; AES-CTR is the only one. */
    private AesCtr ctr() {
        return (AesCtr) cipher;
    }

    @Override
    public String toString() {
        return mac == null ? cipher.wireName() : cipher.wireName() + " " + mac.wireName();
    }
}
