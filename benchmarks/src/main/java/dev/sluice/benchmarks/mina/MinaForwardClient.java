package dev.sluice.benchmarks.mina;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A MINA SSHD client holding one {@code -L} forward open, the MINA row of the forwarding benchmark: connects to
 * 127.0.0.1, logs in with the key, offers one cipher, and forwards until killed.
 *
 * <pre>java ... MinaForwardClient --port N --key FILE --cipher NAME --forward BIND:PORT:HOST:HOSTPORT</pre>
 */
public final class MinaForwardClient {
    private MinaForwardClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(MinaSetup.option(args, "--port"));
        String[] forward = MinaSetup.option(args, "--forward").split(":");
        if (forward.length != 4) {
            throw new IllegalArgumentException("--forward wants bind:port:host:hostport");
        }
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        MinaSetup.noDelay(client);
        MinaSetup.cipher(client, MinaSetup.option(args, "--cipher"));
        MinaSetup.curve25519(client, ClientBuilder.DH2KEX);
        client.start();
        ClientSession session = client.connect(System.getProperty("user.name"), "127.0.0.1", port)
                .verify(30, TimeUnit.SECONDS).getSession();
        session.addPublicKeyIdentity(MinaSetup.loadKeyPair(Path.of(MinaSetup.option(args, "--key"))));
        session.auth().verify(30, TimeUnit.SECONDS);
        session.startLocalPortForwarding(new SshdSocketAddress(forward[0], Integer.parseInt(forward[1])),
                new SshdSocketAddress(forward[2], Integer.parseInt(forward[3])));
        new CountDownLatch(1).await();
    }
}
