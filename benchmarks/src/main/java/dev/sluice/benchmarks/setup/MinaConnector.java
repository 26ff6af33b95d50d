package dev.sluice.benchmarks.setup;

import dev.sluice.benchmarks.mina.MinaSetup;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/** Full connections with MINA SSHD's client, TCP_NODELAY on, curve25519-sha256 and one cipher, as the other peers. */
final class MinaConnector implements SetupClient.Connector {
    private static final long TIMEOUT_MILLIS = 30_000;

    private final SshClient client;
    private final KeyPair identity;
    private final int port;
    private final SshdSocketAddress target;

    MinaConnector(int port, Path key, String cipher, int targetPort) throws Exception {
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        MinaSetup.noDelay(client);
        MinaSetup.curve25519(client, ClientBuilder.DH2KEX);
        MinaSetup.cipher(client, cipher);
        this.identity = MinaSetup.loadKeyPair(key);
        this.port = port;
        this.target = new SshdSocketAddress("127.0.0.1", targetPort);
        client.start();
    }

    @Override
    public void connectOnce() throws Exception {
        try (ClientSession session = client.connect(System.getProperty("user.name"), "127.0.0.1", port)
                .verify(TIMEOUT_MILLIS).getSession()) {
            session.addPublicKeyIdentity(identity);
            session.auth().verify(TIMEOUT_MILLIS);
            ChannelDirectTcpip channel = session.createDirectTcpipChannel(
                    new SshdSocketAddress("127.0.0.1", 0), target);
            channel.open().verify(TIMEOUT_MILLIS);
            channel.close(false).await(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            session.close(false).await(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        client.stop();
    }
}
