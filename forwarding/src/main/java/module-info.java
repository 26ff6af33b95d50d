/**
 * Port forwarding over SSH: {@code -L} local forwards (direct-tcpip), {@code -D} dynamic forwards (a SOCKS server)
 * and the server's forwarding policy.
 *
 * <p>API: {@code dev.sluice.forwarding}.
 */
module dev.sluice.forwarding {
    // DirectTcpipHandler implements connection's ChannelOpenHandler; LocalPortForwarder takes an SshConnection.
    requires transitive dev.sluice.connection;
    requires io.netty.resolver;
    // The SOCKS handler accumulates a request with ByteToMessageDecoder's cumulator.
    requires io.netty.codec;
    requires org.slf4j;

    exports dev.sluice.forwarding;
}
