/**
 * The SSH user authentication protocol (RFC 4252), client and server side, as pipeline handlers.
 *
 * <p>API: {@code dev.sluice.auth}. The message records in {@code dev.sluice.auth.message} are internal.
 */
module dev.sluice.auth {
    // TransportSession, SshKeyPair and SshPublicKey appear in the handlers' constructors; transport passes Netty on.
    requires transitive dev.sluice.transport;
    requires org.slf4j;

    exports dev.sluice.auth;
}
