package dev.sluice.forwarding;

/**
 * A SOCKS CONNECT request as the server decoded it: where the client wants to go.
 *
 * @param version 4 (SOCKS4 and SOCKS4a) or 5
 * @param addressType how the destination was given: an IPv4 or IPv6 address (as a literal in {@code host}) or a
 *        domain name (SOCKS5 type 3, or SOCKS4a), which the SSH server resolves
 * @param host the destination: an address literal ({@code 192.0.2.1}, {@code 2001:db8::1}) or a name
 * @param port the destination port, 0 to 65535
 * @param userId the SOCKS4 USERID field (ignored, as OpenSSH ignores it); empty for SOCKS5
 */
record SocksRequest(int version, AddressType addressType, String host, int port, String userId) {
    /** The ways a SOCKS client names the destination. */
    enum AddressType {
        IPV4, DOMAIN, IPV6
    }
}
