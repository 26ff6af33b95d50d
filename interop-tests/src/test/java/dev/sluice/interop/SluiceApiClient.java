package dev.sluice.interop;

import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.LocalPortForwarder;
import dev.sluice.forwarding.RemoteForward;
import dev.sluice.forwarding.RemotePortForwarder;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.transport.Negotiated;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A Sluice client in the test's JVM, used as an application would: {@link SshClient} connects with an identity from
 * an OpenSSH key file and a pinned host key, and each {@link #forward} is a {@link LocalPortForwarder} ({@code -L})
 * on a free loopback port, each {@link #remoteForward} a {@link RemotePortForwarder} ({@code -R}).
 */
final class SluiceApiClient implements AutoCloseable {
    private final SshClient client;
    private final SshConnection connection;

    private SluiceApiClient(SshClient client, SshConnection connection) {
        this.client = client;
        this.connection = connection;
    }

    /**
     * Connects to {@code 127.0.0.1:port} as the current user and authenticates.
     *
     * @param identity an OpenSSH private key file (unencrypted)
     * @param hostKeyLine the server's public host key ({@code type base64 [comment]}); any other key is refused
     * @param cipher the only cipher offered
     */
    static SluiceApiClient connect(int port, Path identity, String hostKeyLine, TunnelCipher cipher,
            Duration timeout) throws IOException {
        return connect(port, identity, hostKeyLine, t -> t.withCiphers(List.of(cipher.wireName)), timeout);
    }

    /** As the other {@code connect}, with the transport settings {@code configure} makes of the defaults. */
    static SluiceApiClient connect(int port, Path identity, String hostKeyLine,
            UnaryOperator<TransportConfig> configure, Duration timeout) throws IOException {
        return connect(port, System.getProperty("user.name"), identity, hostKeyLine, configure, timeout);
    }

    /** As the other {@code connect}, logging in as {@code user} instead of the current user. */
    static SluiceApiClient connect(int port, String user, Path identity, String hostKeyLine,
            UnaryOperator<TransportConfig> configure, Duration timeout) throws IOException {
        SshKeyPair key = OpenSshKeyFile.read(identity, () -> null);
        SshPublicKey expected = PublicKeys.parseLine(hostKeyLine);
        TransportConfig transport = configure.apply(TransportConfig.defaults())
                .withHostKeyVerifier((h, p, k) -> k.equals(expected) ? null : "Host key verification failed.");
        SshClient.Target target = SshClient.Target.of(TcpPorts.loopback().getHostAddress(), port, user,
                List.of(key)).withTransport(transport);
        SshClient client = new SshClient();
        try {
            SshConnection connection = client.connect(target).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new SluiceApiClient(client, connection);
        } catch (ExecutionException e) {
            client.close();
            throw new AssertionError("Sluice client could not connect to port " + port + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException | InterruptedException | RuntimeException e) {
            client.close();
            throw new AssertionError("Sluice client did not connect to port " + port + " within " + timeout, e);
        }
    }

    /** Starts {@code -L 127.0.0.1:0:host:hostPort} and returns the local port it listens on. */
    int forward(String host, int hostPort) {
        LocalForward spec = new LocalForward(TcpPorts.loopback().getHostAddress(), 0, host, hostPort);
        InetSocketAddress bound = new LocalPortForwarder(connection, spec, false).start().syncUninterruptibly()
                .getNow();
        return bound.getPort();
    }

    /** Starts {@code -R bindAddress:bindPort:host:hostPort} (bindAddress null: ssh's default) and returns it. */
    RemotePortForwarder remoteForward(String bindAddress, int bindPort, String host, int hostPort) {
        RemotePortForwarder r = new RemotePortForwarder(connection, new RemoteForward(bindAddress, bindPort, host,
                hostPort));
        r.start().syncUninterruptibly();
        return r;
    }

    SshConnection connection() {
        return connection;
    }

    /** The algorithms the connection's key exchange settled on. */
    Negotiated negotiated() {
        return TransportSession.of(connection.parent()).negotiated().orElseThrow();
    }

    @Override
    public void close() {
        try {
            connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }
}
