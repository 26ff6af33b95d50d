/**
 * The SSH transport layer (RFC 4253): wire encoding, version exchange, binary packet protocol, key exchange, ciphers,
 * host keys and key files.
 *
 * <p>API: {@code dev.sluice.transport} (pipeline, session, configuration), {@code dev.sluice.transport.key} (keys,
 * key files, known_hosts, authorized_keys), {@code dev.sluice.transport.cipher} (the pluggable packet ciphers) and
 * {@code dev.sluice.transport.kex} (the pluggable key exchange methods).
 * The message records and the wire reader/writer are shared with the upper layers only.
 */
module dev.sluice.transport {
    // Netty types appear in the API (Channel, ChannelPipeline, ByteBuf); Netty's own descriptors do not re-export
    // io.netty.common, which holds ByteBuf's and ChannelFuture's supertypes, so it is passed on explicitly.
    requires transitive io.netty.common;
    requires transitive io.netty.buffer;
    requires transitive io.netty.transport;
    requires io.netty.codec;
    requires org.bouncycastle.provider;
    // PEM private keys (PKCS#1, SEC1, PKCS#8, encrypted): PEMParser and its decryptors.
    requires org.bouncycastle.pkix;
    requires org.slf4j;

    exports dev.sluice.transport;
    exports dev.sluice.transport.cipher;
    exports dev.sluice.transport.kex;
    exports dev.sluice.transport.key;
    // Messages and wire types are API too: researchers and extensions build and read SSH messages with them, and the
    // connection layer's public message records are made of them.
    exports dev.sluice.transport.message;
    exports dev.sluice.transport.wire;
}
