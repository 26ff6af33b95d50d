package dev.sluice.benchmarks.mina;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * A MINA SSHD server for the benchmarks: public key login from an authorized_keys file, direct-tcpip allowed, its
 * default algorithms, TCP_NODELAY. Prints {@code listening on 127.0.0.1:PORT} once bound, then serves until killed.
 *
 * <pre>java ... MinaServerMain --host-key FILE --authorized-keys FILE</pre>
 */
public final class MinaServerMain {
    private MinaServerMain() {
    }

    public static void main(String[] args) throws Exception {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new FileKeyPairProvider(Path.of(MinaSetup.option(args, "--host-key"))));
        server.setPublickeyAuthenticator(
                new AuthorizedKeysAuthenticator(Path.of(MinaSetup.option(args, "--authorized-keys"))));
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        MinaSetup.noDelay(server);
        server.start();
        System.out.println("listening on 127.0.0.1:" + server.getPort());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
