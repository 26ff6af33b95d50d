package dev.sluice.transport;

import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the transport layer for one connection: the algorithms offered, in preference order, the server's host
 * keys and the client's host key check. Immutable; the {@code with*} methods return modified copies.
 *
 * @param softwareVersion the softwareversion part of our identification string (RFC 4253 section 4.2)
 * @param kexAlgorithms key exchange methods, without the ext-info and strict-KEX markers (added per role)
 * @param ciphers encryption algorithms, used for both directions
 * @param hostKeys the server's host keys; empty for a client
 * @param hostKeyVerifier the client's check of the server's host key
 * @param hostKeyAlgorithms host key signature algorithms in preference order; a server offers those it has a key for
 * @param macs MAC algorithms, used for both directions (negotiated only when a non-AEAD cipher is)
 * @param compression compression algorithms, used for both directions ({@code none}, {@code zlib@openssh.com},
 *     {@code zlib})
 * @param rekeyLimit when to renew keys by volume and time (OpenSSH's RekeyLimit)
 * @param keyLogFile where to append session secrets for Wireshark ({@code ssh.keylog_file}), or null for nowhere
 */
public record TransportConfig(
        String softwareVersion,
        List<String> kexAlgorithms,
        List<String> ciphers,
        List<SshKeyPair> hostKeys,
        HostKeyVerifier hostKeyVerifier,
        List<String> hostKeyAlgorithms,
        List<String> macs,
        List<String> compression,
        RekeyLimit rekeyLimit,
        Path keyLogFile) {

    public static final String DEFAULT_SOFTWARE_VERSION = "Sluice_0.1";
    /** What ssh offers without -C, and sshd with {@code Compression no}. */
    public static final List<String> NO_COMPRESSION = List.of(PacketCompression.NONE);
    /** What ssh offers with -C ({@code Compression yes}). */
    public static final List<String> CLIENT_COMPRESSION = List.of(PacketCompression.DELAYED, PacketCompression.ZLIB,
            PacketCompression.NONE);
    /** What sshd offers with its default {@code Compression yes} (delayed only). */
    public static final List<String> SERVER_COMPRESSION = List.of(PacketCompression.NONE, PacketCompression.DELAYED);

    public TransportConfig {
        Objects.requireNonNull(softwareVersion);
        kexAlgorithms = List.copyOf(kexAlgorithms);
        ciphers = List.copyOf(ciphers);
        hostKeys = List.copyOf(hostKeys);
        Objects.requireNonNull(hostKeyVerifier);
        hostKeyAlgorithms = List.copyOf(hostKeyAlgorithms);
        macs = List.copyOf(macs);
        compression = List.copyOf(compression);
        Objects.requireNonNull(rekeyLimit);
    }

    /**
     * OpenSSH 9's defaults restricted to what Sluice implements; no host keys; every host key accepted; session keys
     * logged for Wireshark when the environment variable {@code SSHKEYLOGFILE} names a file.
     */
    public static TransportConfig defaults() {
        return new TransportConfig(DEFAULT_SOFTWARE_VERSION, KexMethods.defaultNames(), Ciphers.defaultNames(),
                List.of(), HostKeyVerifier.ACCEPT_ALL, PublicKeys.defaultHostKeyAlgorithms(), Macs.defaultNames(),
                NO_COMPRESSION, RekeyLimit.DEFAULT, keyLogFileFromEnvironment());
    }

    public TransportConfig withCiphers(List<String> names) {
        for (String n : names) {
            if (Ciphers.byName(n).isEmpty()) {
                throw new IllegalArgumentException("Unsupported cipher: " + n);
            }
        }
        return new TransportConfig(softwareVersion, kexAlgorithms, names, hostKeys, hostKeyVerifier, hostKeyAlgorithms,
                macs, compression, rekeyLimit, keyLogFile);
    }

    public TransportConfig withHostKeys(List<SshKeyPair> keys) {
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, keys, hostKeyVerifier, hostKeyAlgorithms,
                macs, compression, rekeyLimit, keyLogFile);
    }

    public TransportConfig withHostKeyVerifier(HostKeyVerifier verifier) {
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, hostKeys, verifier, hostKeyAlgorithms,
                macs, compression, rekeyLimit, keyLogFile);
    }

    /**
     * Key exchange methods in preference order; names from {@link KexMethods#supportedNames()}.
     *
     * @throws IllegalArgumentException for a name Sluice does not implement
     */
    public TransportConfig withKexAlgorithms(List<String> names) {
        for (String n : names) {
            if (KexMethods.byName(n).isEmpty()) {
                throw new IllegalArgumentException("Unsupported KEX algorithm: " + n);
            }
        }
        return new TransportConfig(softwareVersion, names, ciphers, hostKeys, hostKeyVerifier, hostKeyAlgorithms,
                macs, compression, rekeyLimit, keyLogFile);
    }

    /**
     * Host key algorithms in preference order; names from {@link PublicKeys#supportedHostKeyAlgorithms()}.
     *
     * @throws IllegalArgumentException for a name Sluice does not implement
     */
    public TransportConfig withHostKeyAlgorithms(List<String> names) {
        for (String n : names) {
            if (!PublicKeys.supportedHostKeyAlgorithms().contains(n)) {
                throw new IllegalArgumentException("Unsupported host key algorithm: " + n);
            }
        }
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, hostKeys, hostKeyVerifier, names, macs,
                compression, rekeyLimit, keyLogFile);
    }

    /** The MACs to offer, most preferred first; each must be one {@link Macs#byName} knows. */
    public TransportConfig withMacs(List<String> names) {
        for (String n : names) {
            if (Macs.byName(n).isEmpty()) {
                throw new IllegalArgumentException("Unsupported MAC: " + n);
            }
        }
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, hostKeys, hostKeyVerifier,
                hostKeyAlgorithms, names, compression, rekeyLimit, keyLogFile);
    }

    /** The compression methods to offer, most preferred first (of {@link #CLIENT_COMPRESSION}'s three). */
    public TransportConfig withCompression(List<String> names) {
        for (String n : names) {
            if (!PacketCompression.NAMES.contains(n)) {
                throw new IllegalArgumentException("Unsupported compression: " + n);
            }
        }
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, hostKeys, hostKeyVerifier,
                hostKeyAlgorithms, macs, names, rekeyLimit, keyLogFile);
    }

    /** Renews keys by {@code limit} (volume and time) besides the peer's requests. */
    public TransportConfig withRekeyLimit(RekeyLimit limit) {
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, hostKeys, hostKeyVerifier,
                hostKeyAlgorithms, macs, compression, limit, keyLogFile);
    }

    /** Appends each session's secrets to {@code file} in Wireshark's SSH key log format; null turns that off. */
    public TransportConfig withKeyLogFile(Path file) {
        return new TransportConfig(softwareVersion, kexAlgorithms, ciphers, hostKeys, hostKeyVerifier,
                hostKeyAlgorithms, macs, compression, rekeyLimit, file);
    }

    private static Path keyLogFileFromEnvironment() {
        String file = System.getenv("SSHKEYLOGFILE");
        return file == null || file.isEmpty() ? null : Path.of(file);
    }

    /** Our identification string without CR LF. */
    public String versionLine() {
        return "SSH-2.0-" + softwareVersion;
    }
}
