/**
 * The SSH user authentication protocol (RFC 4252), client and server side, as pipeline handlers.
 *
 * <p>API: {@code dev.sluice.auth}. The message records in {@code dev.sluice.auth.message} are internal.
 */
module dev.sluice.auth {
    // TransportSession, SshKeyPair and SshPublicKey appear in the handlers' constructors; transport passes Netty on.
    requires transitive dev.sluice.transport;
    requires org.slf4j;
    // crypt(3) SHA-512, SHA-256 and MD5 hashes of /etc/shadow.
    requires org.apache.commons.codec;

    exports dev.sluice.auth;
}
