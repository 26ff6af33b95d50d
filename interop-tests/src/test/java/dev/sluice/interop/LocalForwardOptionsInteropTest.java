package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DataPump;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice ssh -L} details as OpenSSH's ssh has them, against a private sshd: an IPv6 bind address in
 * brackets, several forwardings on one connection, and a listen port that is taken, with and without
 * ExitOnForwardFailure, where the lines printed are compared with what the real ssh prints for the same arguments.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LocalForwardOptionsInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final long SIZE = 4 << 20;

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;

    @BeforeEach
    void generateClientKey() throws IOException {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
    }

    @Test
    void bracketedIpv6BindAddressAndASecondForwardShareOneConnection() throws Exception {
        int v6 = TcpPorts.free();
        int v4 = TcpPorts.free();
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 31, TIMEOUT);
                ManagedProcess ssh = command(sshd)
                        .args("-L", "[::1]:" + v6 + ":127.0.0.1:" + target.port())
                        .args("-L", "127.0.0.1:" + v4 + ":127.0.0.1:" + target.port()).start()) {
            TcpPorts.awaitListening(v6, STARTUP, ssh);
            TcpPorts.awaitListening(v4, STARTUP, ssh);
            assertThat(TcpPorts.listeningAddresses(v6)).extracting(InetAddress::getHostAddress)
                    .containsExactly("0:0:0:0:0:0:0:1");

            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName("::1"), v6), (int) TIMEOUT.toMillis());
                DataPump.Result result = DataPump.exchange(s, SIZE, Transfers.UP_SEED, TIMEOUT);
                assertThat(result.receivedSha256()).isEqualTo(DataPump.sha256Of(SIZE, 31));
                assertThat(target.awaitConnection(0, TIMEOUT).receivedSha256()).isEqualTo(result.sentSha256());
            }
            Transfers.assertIntact(v4, target, 1, SIZE, 31, TIMEOUT);
            assertThat(sshd.log()).containsOnlyOnce("Accepted publickey");
        }
    }

    @Test
    void aTakenPortWithExitOnForwardFailurePrintsWhatSshPrintsAndExits255() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                ServerSocket taken = new ServerSocket(0, 1, TcpPorts.loopback())) {
            String spec = "127.0.0.1:" + taken.getLocalPort() + ":127.0.0.1:9";
            String expected;
            try (ManagedProcess ssh = openSsh(sshd).logLevel("INFO").localForward(spec).start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                expected = forwardingLines(ssh.stderr());
            }
            assertThat(expected).contains("bind [127.0.0.1]:" + taken.getLocalPort() + ": Address already in use");
            try (ManagedProcess sluice = command(sshd).args("-L", spec).start()) {
                assertThat(sluice.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(forwardingLines(sluice.stderr())).isEqualTo(expected);
            }
        }
    }

    @Test
    void aTakenPortWithoutExitOnForwardFailureLeavesTheOtherForwardWorking() throws Exception {
        int free = TcpPorts.free();
        try (OpenSshServer sshd = OpenSshServer.start(List.of(clientKey.publicKeyLine()));
                ServerSocket taken = new ServerSocket(0, 1, TcpPorts.loopback());
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 32, TIMEOUT)) {
            String bad = "127.0.0.1:" + taken.getLocalPort() + ":127.0.0.1:9";
            String good = "127.0.0.1:" + free + ":127.0.0.1:" + target.port();
            String expected;
            try (ManagedProcess ssh = openSsh(sshd).logLevel("INFO").option("ExitOnForwardFailure", "no")
                    .localForward(bad).localForward(good).startForwarding(STARTUP)) {
                ssh.awaitStderr("cannot listen to port", STARTUP);
                expected = forwardingLines(ssh.stderr());
            }
            try (ManagedProcess sluice = command(sshd).option("ExitOnForwardFailure", "no")
                    .args("-L", bad).args("-L", good).start()) {
                TcpPorts.awaitListening(free, STARTUP, sluice);
                sluice.awaitStderr("cannot listen to port", STARTUP);
                Transfers.assertIntact(free, target, 0, SIZE, 32, TIMEOUT);
                assertThat(forwardingLines(sluice.stderr())).isEqualTo(expected);
                assertThat(sluice.stderr()).doesNotContain("Could not request local forwarding.");
                assertThat(sluice.isAlive()).isTrue();
            }
        }
    }

    /** The lines about setting up forwardings, in order, without duplicates from joining logs. */
    private static String forwardingLines(String log) {
        StringBuilder out = new StringBuilder();
        for (String line : log.split("\r?\n")) {
            String l = line.strip();
            boolean relevant = l.startsWith("bind [") || l.contains("cannot listen to port")
                    || l.contains("Could not request local forwarding");
            if (relevant && out.indexOf(l + "\n") < 0) {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    private OpenSshClient openSsh(OpenSshServer sshd) {
        return OpenSshClient.to(sshd.port()).identity(clientKey.privateKey());
    }

    private SluiceSshCommand command(OpenSshServer sshd) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        return SluiceSshCommand.to(sshd.port()).identity(clientKey.privateKey()).knownHosts(knownHosts);
    }
}
