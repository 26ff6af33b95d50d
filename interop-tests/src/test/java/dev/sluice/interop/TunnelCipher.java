package dev.sluice.interop;

/**
 * The ciphers every interop tunnel test runs with, forced on both ends ({@code ssh -c}, sshd's {@code Ciphers},
 * {@code TransportConfig.withCiphers}): the AEAD ciphers OpenSSH 9 prefers, each with its own packet code in Sluice.
 */
enum TunnelCipher {
    AES128_GCM("aes128-gcm@openssh.com"),
    AES256_GCM("aes256-gcm@openssh.com"),
    CHACHA20_POLY1305("chacha20-poly1305@openssh.com");

    /** The name on the wire and on OpenSSH's command line. */
    final String wireName;

    TunnelCipher(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
