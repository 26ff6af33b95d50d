package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.GatewayPorts;
import dev.sluice.forwarding.PermitList;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every forwarding keyword of sshd_config and each of its values, enforced by the Sluice server against OpenSSH's
 * {@code ssh} as the client: what ssh prints for a refusal ("administratively prohibited: open failed",
 * "remote port forwarding failed for listen port N"), that what is permitted works, and the server's log line with
 * the user, the client's address and the rule that refused.
 *
 * <p>Specs use placeholders: {@code T} the target's port, {@code O} another (closed) port, {@code P} the listen port
 * of a remote forwarding, {@code Q} another one.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForwardingPolicyInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final long SIZE = 1 << 20;
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles clientKey;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void generateClientKey() throws IOException {
        clientKey = OpenSshKeys.ed25519(dir, "client_key");
    }

    @ParameterizedTest
    @EnumSource(AllowTcpForwarding.class)
    void allowTcpForwardingGatesEachDirection(AllowTcpForwarding value) throws Exception {
        String rule = "AllowTcpForwarding " + value.name().toLowerCase(java.util.Locale.ROOT);
        try (EmbeddedSluiceServer server = server(new ForwardingPolicy(value))) {
            if (value.allowsLocal()) {
                assertLocalPermitted(server, "127.0.0.1");
            } else {
                String line = assertLocalRefused(server, "127.0.0.1", "refused local port forward");
                assertThat(line).contains("refused local port forward: originator 127.0.0.1 port ")
                        .contains(", target 127.0.0.1 port ").endsWith("(user " + USER + " from 127.0.0.1 port "
                                + line.replaceAll(".* from 127\\.0\\.0\\.1 port (\\d+): .*", "$1") + ": " + rule + ")");
            }
            int listen = TcpPorts.free();
            if (value.allowsRemote()) {
                assertRemotePermitted(server, listen + ":127.0.0.1:9", listen);
            } else {
                assertThat(assertRemoteRefused(server, listen + ":127.0.0.1:9", listen, "refused remote port forward"))
                        .contains("refused remote port forward: listen host localhost port " + listen + " (user "
                                + USER + " from 127.0.0.1 port ").endsWith(": " + rule + ")");
            }
        }
    }

    @Test
    void disableForwardingOverridesAllowTcpForwarding() throws Exception {
        try (EmbeddedSluiceServer server = server(new ForwardingPolicy(AllowTcpForwarding.ALL)
                .withDisableForwarding(true))) {
            assertThat(assertLocalRefused(server, "127.0.0.1", "refused local port forward"))
                    .endsWith(": DisableForwarding yes)");
            int listen = TcpPorts.free();
            assertThat(assertRemoteRefused(server, listen + ":127.0.0.1:9", listen, "refused remote port forward"))
                    .endsWith(": DisableForwarding yes)");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:T           | 127.0.0.1 | T | true",
        "127.0.0.1:T           | localhost | T | false",
        "127.0.0.1:T           | 127.0.0.1 | O | false",
        "*:T                   | 127.0.0.1 | T | true",
        "*:T                   | 127.0.0.1 | O | false",
        "127.0.0.1:*           | 127.0.0.1 | T | true",
        "localhost:O 127.0.0.1:T | 127.0.0.1 | T | true",
        "none                  | 127.0.0.1 | T | false",
        "any                   | 127.0.0.1 | T | true",
    })
    void permitOpenLimitsLocalForwardingDestinations(String permitOpen, String host, String port, boolean permitted)
            throws Exception {
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 3, TIMEOUT);
                TcpPorts.RefusedPort other = TcpPorts.refused()) {
            String value = permitOpen.replace("T", Integer.toString(target.port()))
                    .replace("O", Integer.toString(other.port()));
            int targetPort = port.equals("T") ? target.port() : other.port();
            try (EmbeddedSluiceServer server = server(ForwardingPolicy.DEFAULT
                    .withPermitOpen(PermitList.parseOpen(value)))) {
                if (permitted) {
                    try (ManagedProcess ssh = client(server).localForward(TcpPorts.free(), host, targetPort)
                            .startForwarding(STARTUP)) {
                        Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 3, TIMEOUT);
                    }
                } else {
                    String line = assertLocalRefused(server, host, targetPort, "but the request was denied");
                    assertThat(line).matches(".*Received request from 127\\.0\\.0\\.1 port \\d+ to connect to host "
                            + host + " port " + targetPort + ", but the request was denied\\. \\(user " + USER
                            + ": PermitOpen " + value.replace("*", "\\*") + "\\)");
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost:P     | P            | true",
        "127.0.0.1:P     | P            | false",
        "127.0.0.1:P     | 127.0.0.1:P  | true",
        "P               | P            | true",
        "Q               | P            | false",
        "local*:*        | P            | true",
        "localhost:Q     | P            | false",
        "none            | P            | false",
        "any             | P            | true",
    })
    void permitListenLimitsRemoteForwardingListeners(String permitListen, String bind, boolean permitted)
            throws Exception {
        int listen = TcpPorts.free();
        String value = permitListen.replace("P", Integer.toString(listen))
                .replace("Q", Integer.toString(listen == 65535 ? 1024 : listen + 1));
        String spec = bind.replace("P", Integer.toString(listen)) + ":127.0.0.1:9";
        try (EmbeddedSluiceServer server = server(ForwardingPolicy.DEFAULT
                .withPermitListen(PermitList.parseListen(value)))) {
            if (permitted) {
                assertRemotePermitted(server, spec, listen);
            } else {
                String requested = bind.contains(":") ? "127.0.0.1" : "localhost";
                assertThat(assertRemoteRefused(server, spec, listen, "but the request was denied"))
                        .matches(".*Received request from 127\\.0\\.0\\.1 port \\d+ to remote forward to host "
                                + requested + " port " + listen + ", but the request was denied\\. \\(user " + USER
                                + ": PermitListen " + value.replace("*", "\\*") + "\\)");
            }
        }
    }

    /** Where the listener ends up: loopback (127.0.0.1 and ::1), the wildcard, or exactly one address. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "NO              | P           | loopback",
        "NO              | 0.0.0.0:P   | loopback",
        "NO              | *:P         | loopback",
        "NO              | 127.0.0.1:P | 127.0.0.1",
        "YES             | P           | wildcard",
        "YES             | 127.0.0.1:P | wildcard",
        "CLIENTSPECIFIED | P           | loopback",
        "CLIENTSPECIFIED | *:P         | wildcard",
        "CLIENTSPECIFIED | 0.0.0.0:P   | 0.0.0.0",
        "CLIENTSPECIFIED | 127.0.0.1:P | 127.0.0.1",
    })
    void gatewayPortsDecidesWhereRemoteForwardingsListen(GatewayPorts value, String bind, String where)
            throws Exception {
        int listen = TcpPorts.free();
        try (EmbeddedSluiceServer server = server(ForwardingPolicy.DEFAULT.withGatewayPorts(value));
                TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 4, TIMEOUT);
                ManagedProcess ssh = client(server)
                        .remoteForward(bind.replace("P", Integer.toString(listen)) + ":127.0.0.1:" + target.port())
                        .start()) {
            TcpPorts.awaitListening(listen, STARTUP, ssh);
            List<InetAddress> addresses = TcpPorts.listeningAddresses(listen);
            switch (where) {
                case "loopback" -> assertThat(addresses).isNotEmpty().allMatch(InetAddress::isLoopbackAddress)
                        .anyMatch(a -> a.getHostAddress().equals("127.0.0.1"));
                case "wildcard" -> assertThat(addresses).hasSize(1).allMatch(InetAddress::isAnyLocalAddress);
                default -> assertThat(addresses).extracting(InetAddress::getHostAddress).containsExactly(where);
            }
            Transfers.assertIntact(listen, target, 0, SIZE, 4, TIMEOUT);
        }
    }

    /** authorized_keys' permitopen= and permitlisten= narrow the server's policy for the key that logged in. */
    @Test
    void authorizedKeysPermitOpenAndPermitListenNarrowThePolicy() throws Exception {
        int listen = TcpPorts.free();
        int otherListen = TcpPorts.free();
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 6, TIMEOUT);
                TcpPorts.RefusedPort other = TcpPorts.refused();
                EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of("permitopen=\"127.0.0.1:"
                        + target.port() + "\",permitlisten=\"localhost:" + listen + "\" "
                        + clientKey.publicKeyLine()), null, ForwardingPolicy.DEFAULT)) {
            try (ManagedProcess ssh = client(server).localForward(TcpPorts.free(), "127.0.0.1", target.port())
                    .startForwarding(STARTUP)) {
                Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 6, TIMEOUT);
            }
            assertThat(assertLocalRefused(server, "127.0.0.1", other.port(), "but the request was denied"))
                    .endsWith("(user " + USER + ": permitopen=\"127.0.0.1:" + target.port() + "\")");
            assertRemotePermitted(server, listen + ":127.0.0.1:9", listen);
            assertThat(assertRemoteRefused(server, otherListen + ":127.0.0.1:9", otherListen,
                    "but the request was denied"))
                    .endsWith("(user " + USER + ": permitlisten=\"localhost:" + listen + "\")");
        }
    }

    /** authorized_keys' no-port-forwarding (and restrict) refuse both directions for that key. */
    @Test
    void authorizedKeysNoPortForwardingRefusesBothDirections() throws Exception {
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir,
                List.of("no-port-forwarding " + clientKey.publicKeyLine()), null, ForwardingPolicy.DEFAULT)) {
            assertThat(assertLocalRefused(server, "127.0.0.1", "refused local port forward"))
                    .endsWith(": no-port-forwarding)");
            int listen = TcpPorts.free();
            assertThat(assertRemoteRefused(server, listen + ":127.0.0.1:9", listen, "refused remote port forward"))
                    .endsWith(": no-port-forwarding)");
        }
    }

    @Test
    void privilegedPortsListenOnlyForRoot() throws Exception {
        int privileged = freePrivilegedPort();
        try (EmbeddedSluiceServer server = server(ForwardingPolicy.DEFAULT)) {
            long mark = LogCapture.mark();
            try (ManagedProcess ssh = client(server).user("alice")
                    .remoteForward(privileged + ":127.0.0.1:9").start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ssh.stderr())
                        .contains("Error: remote port forwarding failed for listen port " + privileged);
            }
            assertThat(LogCapture.await(mark, "refused remote port forward", TIMEOUT))
                    .contains("listen host localhost port " + privileged + " (user alice from 127.0.0.1 port ")
                    .endsWith(": privileged port " + privileged + " and user alice is not root)");
            try (ManagedProcess ssh = client(server).user("root")
                    .remoteForward(privileged + ":127.0.0.1:9").start()) {
                TcpPorts.awaitListening(privileged, STARTUP, ssh);
            }
        }
    }

    /**
     * {@code sluice server} as its own process, its policy given as sshd_config keywords on the command line:
     * AllowTcpForwarding remote refuses ssh -L, PermitListen admits one listen port and refuses another.
     */
    @Test
    void serverCommandEnforcesItsKeywords() throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "sluice_host_key");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), clientKey.publicKeyLine() + "\n");
        int allowed = TcpPorts.free();
        int denied = TcpPorts.free();
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-h", hostKey.privateKey().toString(),
                "-o", "AuthorizedKeysFile=" + authorized, "-o", "AllowTcpForwarding=remote",
                "-o", "PermitListen=localhost:" + allowed, "-o", "GatewayPorts=no", "-o", "DisableForwarding=no"));
        try (ManagedProcess server = ManagedProcess.start("sluice server", command)) {
            String listening = server.awaitStdout("listening on ", STARTUP);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                    "[127.0.0.1]:" + port + " " + hostKey.publicKeyLine() + "\n");
            OpenSshClient base = OpenSshClient.to(port).identity(clientKey.privateKey())
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString());
            try (ManagedProcess ssh = base.remoteForward(allowed + ":127.0.0.1:9")
                    .localForward(TcpPorts.free(), "127.0.0.1", 9).startForwarding(STARTUP)) {
                TcpPorts.awaitListening(allowed, STARTUP, ssh);
                Tunnels.assertConnectionEndsWithoutData(Tunnels.forwardedPort(ssh.command(), 0), TIMEOUT);
                assertThat(ssh.awaitStderr("open failed", TIMEOUT))
                        .contains("open failed: administratively prohibited: open failed");
                assertThat(server.awaitStderr("refused local port forward", TIMEOUT))
                        .endsWith(": AllowTcpForwarding remote)");
            }
            try (ManagedProcess ssh = OpenSshClient.to(port).identity(clientKey.privateKey())
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .remoteForward(denied + ":127.0.0.1:9").start()) {
                assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
                assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen port " + denied);
                assertThat(server.awaitStderr("to remote forward to host localhost port " + denied, TIMEOUT))
                        .contains("but the request was denied. (user " + USER + ": PermitListen localhost:"
                                + allowed + ")");
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private EmbeddedSluiceServer server(ForwardingPolicy policy) throws IOException, InterruptedException {
        return EmbeddedSluiceServer.start(dir, List.of(clientKey.publicKeyLine()), null, policy);
    }

    private OpenSshClient client(EmbeddedSluiceServer server) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        return OpenSshClient.to(server.port()).identity(clientKey.privateKey())
                .option("StrictHostKeyChecking", "yes")
                .option("UserKnownHostsFile", knownHosts.toString());
    }

    private void assertLocalPermitted(EmbeddedSluiceServer server, String host) throws Exception {
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 5, TIMEOUT);
                ManagedProcess ssh = client(server).localForward(TcpPorts.free(), host, target.port())
                        .startForwarding(STARTUP)) {
            Transfers.assertIntact(Tunnels.forwardedPort(ssh.command(), 0), target, 0, SIZE, 5, TIMEOUT);
        }
    }

    private String assertLocalRefused(EmbeddedSluiceServer server, String host, String logNeedle) throws Exception {
        try (TcpTargets.SinkSource target = TcpTargets.sinkSource(SIZE, 5, TIMEOUT)) {
            String line = assertLocalRefused(server, host, target.port(), logNeedle);
            assertThat(target.accepted()).as("connections that reached the target").isZero();
            return line;
        }
    }

    /** ssh -L to host:port; a connection through it is refused; returns the server's log line. */
    private String assertLocalRefused(EmbeddedSluiceServer server, String host, int port, String logNeedle)
            throws Exception {
        try (ManagedProcess ssh = client(server).localForward(TcpPorts.free(), host, port).startForwarding(STARTUP)) {
            long mark = LogCapture.mark();
            Tunnels.assertConnectionEndsWithoutData(Tunnels.forwardedPort(ssh.command(), 0), TIMEOUT);
            assertThat(ssh.awaitStderr("open failed", TIMEOUT)).containsPattern(
                    "channel \\d+: open failed: administratively prohibited: open failed");
            String line = LogCapture.await(mark, logNeedle, TIMEOUT);
            assertThat(ssh.isAlive()).as("a refused channel leaves the connection up").isTrue();
            return line;
        }
    }

    private void assertRemotePermitted(EmbeddedSluiceServer server, String spec, int listen) throws Exception {
        try (ManagedProcess ssh = client(server).remoteForward(spec).start()) {
            TcpPorts.awaitListening(listen, STARTUP, ssh);
            assertThat(ssh.stderr()).doesNotContain("remote port forwarding failed");
        }
    }

    /** ssh -R spec with ExitOnForwardFailure: it exits 255 with ssh's error; returns the server's log line. */
    private String assertRemoteRefused(EmbeddedSluiceServer server, String spec, int listen, String logNeedle)
            throws Exception {
        long mark = LogCapture.mark();
        try (ManagedProcess ssh = client(server).remoteForward(spec).start()) {
            assertThat(ssh.awaitExit(STARTUP)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("Error: remote port forwarding failed for listen port " + listen);
        }
        assertThat(TcpPorts.isListening(listen)).isFalse();
        return LogCapture.await(mark, logNeedle, TIMEOUT);
    }

    /** A port below 1024 that nothing listens on (the test runs as root, so the server may bind it for root). */
    private static int freePrivilegedPort() {
        for (int p = 1023; p > 900; p--) {
            if (!TcpPorts.isListening(p)) {
                return p;
            }
        }
        throw new AssertionError("no free privileged port");
    }
}
