/**
 * The SSH connection protocol (RFC 4254): channel multiplexing, flow-control windows, global requests, and the
 * {@code SshClient} / {@code SshServer} entry points.
 *
 * <p>API: {@code dev.sluice.connection}. The message records are shared with the forwarding module only.
 *
 * <p>Netty's native epoll transport is used when its platform module is in the module graph (on Linux x86-64:
 * {@code --add-modules io.netty.transport.epoll.linux.x86_64}); otherwise the NIO transport is used.
 */
module dev.sluice.connection {
    // SshClient/SshServer take keys and authenticators from auth and transport; Netty types are passed on by them.
    requires transitive dev.sluice.auth;
    requires io.netty.transport.classes.epoll;
    // KeepAliveHandler is an IdleStateHandler.
    requires io.netty.handler;
    requires org.slf4j;

    exports dev.sluice.connection;
    // Channel requests, open-failure reasons and direct-tcpip targets appear in the API (ChannelListener,
    // ChannelOpenRequest, ForwardingPolicy).
    exports dev.sluice.connection.message;
    // Session channels: the server side (SessionOpenHandler, CommandHandler) and the client side (ClientSession).
    exports dev.sluice.connection.session;
}
