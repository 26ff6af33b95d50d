package dev.sluice.interop;

import dev.sluice.auth.AuthorizedKeysAuthenticator;
import dev.sluice.auth.ServerAuthConfig;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.MaxStartups;
import dev.sluice.connection.SshServer;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.connection.session.SessionOpenHandler;
import dev.sluice.forwarding.DirectStreamLocalHandler;
import dev.sluice.forwarding.DirectTcpipHandler;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.StreamLocalForwardHandler;
import dev.sluice.forwarding.StreamLocalPolicy;
import dev.sluice.forwarding.TcpipForwardHandler;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.key.SshKeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A Sluice SSH server in the test's own JVM, configured as {@code sluice server} configures one (authorized_keys
 * file, direct-tcpip, direct-streamlocal, tcpip-forward and streamlocal-forward with the default or a given policy),
 * on a free loopback port. In-process so that Netty's leak detector sees its buffers and tests can read its log lines
 * ({@link LogCapture}).
 */
final class EmbeddedSluiceServer implements AutoCloseable {
    private final SshServer server;
    private final List<SshKeyPair> hostKeys;
    private final int port;

    private EmbeddedSluiceServer(SshServer server, List<SshKeyPair> hostKeys, int port) {
        this.server = server;
        this.hostKeys = hostKeys;
        this.port = port;
    }

    /**
     * Starts a server that accepts the given authorized_keys lines (written to {@code dir/authorized_keys}).
     *
     * @param cipher the only cipher offered, or {@code null} for Sluice's defaults
     */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, TunnelCipher cipher)
            throws IOException, InterruptedException {
        return startTuned(dir, authorizedKeys, tunedTo(cipher));
    }

    /** As {@link #start(Path, List, TunnelCipher)}, with a forwarding policy (sshd_config's keywords). */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, TunnelCipher cipher,
            ForwardingPolicy policy) throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), tunedTo(cipher),
                ServerAuthConfig.PUBLICKEY_ONLY, 6, MaxStartups.DEFAULT, policy, null);
    }

    /** A server with an Ed25519 host key and the transport settings {@code tune} makes of the defaults. */
    static EmbeddedSluiceServer startTuned(Path dir, List<String> authorizedKeys, UnaryOperator<TransportConfig> tune)
            throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), tune);
    }

    /** A server with these host keys and the transport settings {@code configure} makes of the defaults. */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, List<SshKeyPair> hostKeys,
            UnaryOperator<TransportConfig> configure) throws IOException, InterruptedException {
        return start(dir, authorizedKeys, hostKeys, configure, ServerAuthConfig.PUBLICKEY_ONLY, 6,
                MaxStartups.DEFAULT, ForwardingPolicy.DEFAULT, null);
    }

    /**
     * Starts a server with password, keyboard-interactive or AuthenticationMethods settings and sshd's limits.
     *
     * @param maxAuthTries sshd's MaxAuthTries
     */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, TunnelCipher cipher,
            ServerAuthConfig auth, int maxAuthTries, MaxStartups maxStartups)
            throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), tunedTo(cipher),
                auth, maxAuthTries, maxStartups, ForwardingPolicy.DEFAULT, null);
    }

    /**
     * Starts a server that also serves session channels with {@code sessions} (exec, shell, subsystems), as
     * {@code sluice server} does.
     */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, TunnelCipher cipher,
            SessionConfig sessions) throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), tunedTo(cipher),
                ServerAuthConfig.PUBLICKEY_ONLY, 6, MaxStartups.DEFAULT, ForwardingPolicy.DEFAULT, sessions);
    }

    /**
     * A server that serves sessions and also accepts user certificates signed by a CA listed in
     * {@code trustedUserCaKeys} (sshd_config's TrustedUserCAKeys).
     */
    static EmbeddedSluiceServer startTrustingUserCa(Path dir, List<String> authorizedKeys, Path trustedUserCaKeys,
            SessionConfig sessions) throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), t -> t,
                ServerAuthConfig.PUBLICKEY_ONLY, 6, MaxStartups.DEFAULT, ForwardingPolicy.DEFAULT, sessions,
                ConnectionConfig.DEFAULT, trustedUserCaKeys);
    }

    /** A server with Sluice's defaults and these connection settings (windows, ClientAliveInterval/CountMax). */
    static EmbeddedSluiceServer startWithConnection(Path dir, List<String> authorizedKeys,
            ConnectionConfig connection)
            throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), t -> t,
                ServerAuthConfig.PUBLICKEY_ONLY, 6, MaxStartups.DEFAULT, ForwardingPolicy.DEFAULT, null, connection,
                null);
    }

    private static UnaryOperator<TransportConfig> tunedTo(TunnelCipher cipher) {
        return t -> cipher == null ? t : t.withCiphers(List.of(cipher.wireName));
    }

    private static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, List<SshKeyPair> hostKeys,
            UnaryOperator<TransportConfig> configure, ServerAuthConfig auth, int maxAuthTries,
            MaxStartups maxStartups, ForwardingPolicy policy, SessionConfig sessions)
            throws IOException, InterruptedException {
        return start(dir, authorizedKeys, hostKeys, configure, auth, maxAuthTries, maxStartups, policy, sessions,
                ConnectionConfig.DEFAULT, null);
    }

    /**
     * A server with a forwarding policy and sshd_config's Unix-socket settings (AllowStreamLocalForwarding,
     * StreamLocalBindMask, StreamLocalBindUnlink), as {@code sluice server} sets them up.
     */
    static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, ForwardingPolicy policy,
            StreamLocalPolicy streamLocal) throws IOException, InterruptedException {
        return start(dir, authorizedKeys, List.of(SshKeyPair.generateEd25519("sluice-test-host")), t -> t,
                ServerAuthConfig.PUBLICKEY_ONLY, 6, MaxStartups.DEFAULT, policy, null, ConnectionConfig.DEFAULT, null,
                streamLocal);
    }

    private static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, List<SshKeyPair> hostKeys,
            UnaryOperator<TransportConfig> configure, ServerAuthConfig auth, int maxAuthTries,
            MaxStartups maxStartups, ForwardingPolicy policy, SessionConfig sessions, ConnectionConfig connection,
            Path trustedUserCaKeys) throws IOException, InterruptedException {
        return start(dir, authorizedKeys, hostKeys, configure, auth, maxAuthTries, maxStartups, policy, sessions,
                connection, trustedUserCaKeys, StreamLocalPolicy.DEFAULT);
    }

    private static EmbeddedSluiceServer start(Path dir, List<String> authorizedKeys, List<SshKeyPair> hostKeys,
            UnaryOperator<TransportConfig> configure, ServerAuthConfig auth, int maxAuthTries,
            MaxStartups maxStartups, ForwardingPolicy policy, SessionConfig sessions, ConnectionConfig connection,
            Path trustedUserCaKeys, StreamLocalPolicy streamLocalPolicy) throws IOException, InterruptedException {
        Path authorized = dir.resolve("sluice_authorized_keys");
        Files.write(authorized, authorizedKeys);
        TransportConfig transport = configure.apply(TransportConfig.defaults().withHostKeys(hostKeys));
        DirectStreamLocalHandler streamLocal = new DirectStreamLocalHandler(c -> policy, streamLocalPolicy.allow());
        Map<String, GlobalRequestHandler> globalHandlers = new HashMap<>(new TcpipForwardHandler(policy).handlers());
        globalHandlers.putAll(new StreamLocalForwardHandler(policy, streamLocalPolicy).handlers());
        SshServer.Config config = new SshServer.Config(new InetSocketAddress(TcpPorts.loopback(), 0), transport,
                new AuthorizedKeysAuthenticator(authorized, trustedUserCaKeys, Clock.systemDefaultZone()),
                maxAuthTries, 120, connection,
                sessions == null ? Map.of("direct-tcpip", new DirectTcpipHandler(policy),
                                DirectStreamLocalHandler.CHANNEL_TYPE, streamLocal)
                        : Map.of("direct-tcpip", new DirectTcpipHandler(policy),
                                DirectStreamLocalHandler.CHANNEL_TYPE, streamLocal,
                                SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(sessions)),
                auth, maxStartups, globalHandlers);
        SshServer server = new SshServer(config);
        try {
            return new EmbeddedSluiceServer(server, List.copyOf(hostKeys), server.start().getPort());
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** The (first) host public key as one line ({@code ssh-ed25519 AAAA…}). */
    String hostPublicKeyLine() {
        return hostKeys.get(0).publicKey().toOpenSshLine(null);
    }

    /** known_hosts lines for this server, one per host key, so OpenSSH clients can check its host key strictly. */
    String knownHostsLine() {
        return hostKeys.stream().map(k -> "[127.0.0.1]:" + port + " " + k.publicKey().toOpenSshLine(null))
                .collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        server.close();
    }
}
