package dev.sluice.interop;

import dev.sluice.auth.AuthorizedKeysAuthenticator;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshServer;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.connection.session.SessionOpenHandler;
import dev.sluice.forwarding.DirectTcpipHandler;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.key.SshKeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Sluice SSH server in the test's own JVM, configured as {@code sluice server} configures one (authorized_keys
 * file, direct-tcpip with the default policy), on a free loopback port. In-process so that Netty's leak detector
 * sees its buffers and tests can read its log lines ({@link LogCapture}).
 */
final class EmbeddedSluiceServer implements AutoCloseable {
    private final SshServer server;
    private final SshKeyPair hostKey;
    private final int port;

    private EmbeddedSluiceServer(SshServer server, SshKeyPair hostKey, int port) {
        this.server = server;
        this.hostKey = hostKey;
        this.port = port;
    }

    /**
     * Starts a server that accepts the given authorized_keys lines (written to {@code dir/authorized_keys}).
     *
     * @param cipher the only cipher offered, or {@code null} for Sluice's defaults
     */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, TunnelCipher cipher)
            throws IOException, InterruptedException {
        return start(dir, authorizedKeys, cipher, null);
    }

    /**
     * Starts a server that also serves session channels with {@code sessions} (exec, shell, subsystems), as
     * {@code sluice server} does.
     */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, TunnelCipher cipher,
            SessionConfig sessions) throws IOException, InterruptedException {
        Path authorized = dir.resolve("sluice_authorized_keys");
        Files.write(authorized, authorizedKeys);
        SshKeyPair hostKey = SshKeyPair.generateEd25519("sluice-test-host");
        TransportConfig transport = TransportConfig.defaults().withHostKeys(List.of(hostKey));
        if (cipher != null) {
            transport = transport.withCiphers(List.of(cipher.wireName));
        }
        SshServer.Config config = new SshServer.Config(new InetSocketAddress(TcpPorts.loopback(), 0), transport,
                new AuthorizedKeysAuthenticator(authorized), 6, 120, ConnectionConfig.DEFAULT,
                sessions == null ? Map.of("direct-tcpip", new DirectTcpipHandler(ForwardingPolicy.DEFAULT))
                        : Map.of("direct-tcpip", new DirectTcpipHandler(ForwardingPolicy.DEFAULT),
                                SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(sessions)));
        SshServer server = new SshServer(config);
        try {
            return new EmbeddedSluiceServer(server, hostKey, server.start().getPort());
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** The host public key as one line ({@code ssh-ed25519 AAAA…}). */
    String hostPublicKeyLine() {
        return hostKey.publicKey().toOpenSshLine(null);
    }

    /** A known_hosts line for this server, so OpenSSH clients can check its host key strictly. */
    String knownHostsLine() {
        return "[127.0.0.1]:" + port + " " + hostPublicKeyLine();
    }

    @Override
    public void close() {
        server.close();
    }
}
