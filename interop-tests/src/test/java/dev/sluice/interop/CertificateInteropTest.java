package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.session.SessionConfig;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.interop.harness.TcpPorts;
import dev.sluice.interop.harness.TcpTargets;
import dev.sluice.transport.key.PublicKeys;
import java.io.IOException;
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

/**
 * OpenSSH user certificates made by the real {@code ssh-keygen -s}: OpenSSH's ssh logs in to a Sluice server that
 * trusts the CA by TrustedUserCAKeys or a {@code cert-authority} line, Sluice's ssh logs in to sshd with the
 * certificate next to its key, and the refusals (expired, wrong principal, no port forwarding) read as sshd's.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CertificateInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles ca;
    private OpenSshKeys.KeyPairFiles userKey;
    private Path trustedCa;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void makeCa() throws IOException {
        ca = OpenSshKeys.ed25519(dir, "user_ca");
        userKey = OpenSshKeys.ed25519(dir, "id_user");
        trustedCa = Files.writeString(dir.resolve("trusted_user_ca_keys"), ca.publicKeyLine() + "\n");
    }

    /** {@code ssh-keygen -s ca -I id -n principals [extra] user.pub}, writing {@code id_user-cert.pub}. */
    private Path sign(String principals, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", ca.privateKey().toString(),
                "-I", "cert-for-" + principals, "-z", "17", "-n", principals));
        command.addAll(List.of(extra));
        command.add(userKey.publicKey().toString());
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen -s", command)) {
            assertThat(keygen.awaitExit(TIMEOUT)).as(keygen.stderr()).isZero();
        }
        return Path.of(userKey.privateKey() + "-cert.pub");
    }

    private EmbeddedSluiceServer sluice(List<String> authorizedKeys) throws Exception {
        return EmbeddedSluiceServer.startTrustingUserCa(dir, authorizedKeys, trustedCa, SessionConfig.defaults());
    }

    private OpenSshClient ssh(int port) {
        return OpenSshClient.to(port).identity(userKey.privateKey()).logLevel("ERROR");
    }

    @Test
    void openSshClientShouldLogInWithACertificateFromATrustedUserCa() throws Exception {
        sign(USER);
        String fingerprint = PublicKeys.parseLine(userKey.publicKeyLine()).fingerprint();
        String caFingerprint = PublicKeys.parseLine(ca.publicKeyLine()).fingerprint();
        try (EmbeddedSluiceServer server = sluice(List.of())) {
            long mark = LogCapture.mark();

            SshRun run = SshRun.run(dir, ssh(server.port()).command("echo", "cert-ok").commandLine(), null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("cert-ok\n");
            assertThat(LogCapture.since(mark))
                    .contains("Accepted certificate ID \"cert-for-" + USER + "\" (serial 17) signed by ED25519 CA "
                            + caFingerprint + " via " + trustedCa)
                    .contains("Accepted publickey for " + USER + " from 127.0.0.1 port ")
                    .contains("ssh2: ED25519-CERT " + fingerprint + " ID cert-for-" + USER + " (serial 17) CA ED25519 "
                            + caFingerprint);
        }
    }

    /** RSA certificates sign with rsa-sha2-512-cert-v01@openssh.com (from server-sig-algs), ECDSA with their own. */
    @ParameterizedTest
    @CsvSource({"rsa,3072,ecdsa,384", "ecdsa,256,rsa,2048", "ecdsa,521,ed25519,0"})
    void everyKeyTypeShouldLogInWithItsCertificateBothWays(String type, int bits, String caType, int caBits)
            throws Exception {
        userKey = OpenSshKeys.generate(dir, "id_" + type + bits, type, bits);
        ca = OpenSshKeys.generate(dir, "ca_" + caType + caBits, caType, caBits);
        trustedCa = Files.writeString(dir.resolve("trusted_user_ca_keys"), ca.publicKeyLine() + "\n");
        sign(USER);
        try (EmbeddedSluiceServer server = sluice(List.of())) {
            SshRun run = SshRun.run(dir, ssh(server.port()).command("echo", "openssh-" + type).commandLine(), null,
                    TIMEOUT);
            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("openssh-" + type + "\n");
        }
        try (OpenSshServer sshd = OpenSshServer.builder().config("TrustedUserCAKeys " + trustedCa).start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            SshRun run = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(userKey.privateKey())
                    .knownHosts(knownHosts).command("echo", "sluice-" + type).commandLine(), null, TIMEOUT);
            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("sluice-" + type + "\n");
            assertThat(sshd.awaitLog("Accepted publickey", TIMEOUT)).contains(
                    PublicKeys.displayName(PublicKeys.parseLine(userKey.publicKeyLine()).keyType()) + "-CERT");
        }
    }

    @Test
    void certAuthorityLineWithPrincipalsShouldAcceptOnlyThosePrincipals() throws Exception {
        String line = "cert-authority,principals=\"deploy,ops\" " + ca.publicKeyLine();
        trustedCa = Files.writeString(dir.resolve("trusted_user_ca_keys"), "");
        try (EmbeddedSluiceServer server = sluice(List.of(line))) {
            sign("ops");
            SshRun accepted = SshRun.run(dir, ssh(server.port()).command("echo", "ops-ok").commandLine(), null,
                    TIMEOUT);
            assertThat(accepted.status()).as(accepted.stderr()).isZero();
            assertThat(accepted.output()).isEqualTo("ops-ok\n");

            sign(USER);
            long mark = LogCapture.mark();
            SshRun refused = SshRun.run(dir, ssh(server.port()).command("true").commandLine(), null, TIMEOUT);
            assertThat(refused.status()).isEqualTo(255);
            assertThat(refused.stderr()).contains("Permission denied (publickey).");
            assertThat(LogCapture.since(mark)).contains("Certificate does not contain an authorized principal");
        }
    }

    /** The same refused certificate against sshd and against Sluice: the same words in both servers' logs. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "expired         | -V 20200101:20200102 | Certificate invalid: expired",
        "not yet valid   | -V 20900101:20900102 | Certificate invalid: not yet valid",
        "wrong principal | -V always:forever    | Certificate invalid: name is not a listed principal",
    })
    void refusedCertificatesShouldBeLoggedAsSshdLogsThem(String why, String validity, String reason)
            throws Exception {
        String principal = why.equals("wrong principal") ? "someone-else" : USER;
        sign(principal, validity.split(" "));
        String sshdLog;
        try (OpenSshServer sshd = OpenSshServer.builder().config("TrustedUserCAKeys " + trustedCa).start()) {
            SshRun run = SshRun.run(dir, ssh(sshd.port()).command("true").commandLine(), null, TIMEOUT);
            assertThat(run.status()).isEqualTo(255);
            assertThat(run.stderr()).contains("Permission denied (publickey).");
            sshdLog = sshd.awaitLog(reason, TIMEOUT);
        }
        try (EmbeddedSluiceServer server = sluice(List.of())) {
            long mark = LogCapture.mark();
            SshRun run = SshRun.run(dir, ssh(server.port()).command("true").commandLine(), null, TIMEOUT);

            assertThat(run.status()).isEqualTo(255);
            assertThat(run.stderr()).contains("Permission denied (publickey).");
            assertThat(LogCapture.await(mark, reason, TIMEOUT)).contains(reason);
        }
        assertThat(sshdLog).contains(reason);
    }

    @Test
    void withoutPermitPortForwardingALocalForwardShouldBeRefused() throws Exception {
        sign(USER, "-O", "no-port-forwarding");
        try (EmbeddedSluiceServer server = sluice(List.of());
                TcpTargets.SinkSource target = TcpTargets.sinkSource(1024, 1, TIMEOUT);
                ManagedProcess ssh = ssh(server.port()).logLevel("INFO")
                        .localForward(TcpPorts.free(), "127.0.0.1", target.port())
                        .startForwarding(TIMEOUT)) {
            long mark = LogCapture.mark();
            Tunnels.assertConnectionEndsWithoutData(Tunnels.forwardedPort(ssh.command(), 0), TIMEOUT);

            assertThat(ssh.awaitStderr("open failed", TIMEOUT)).containsPattern(
                    "channel \\d+: open failed: administratively prohibited: open failed");
            assertThat(LogCapture.await(mark, "refused local port forward", TIMEOUT)).contains("no-port-forwarding");
            assertThat(target.accepted()).isZero();
        }
    }

    @Test
    void forceCommandShouldReplaceTheClientsCommand() throws Exception {
        sign(USER, "-O", "force-command=echo forced by certificate");
        try (EmbeddedSluiceServer server = sluice(List.of())) {
            long mark = LogCapture.mark();
            SshRun run = SshRun.run(dir, ssh(server.port()).command("echo", "asked").commandLine(), null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("forced by certificate\n");
            assertThat(LogCapture.since(mark))
                    .contains("Starting session: forced-command (key-option) 'echo forced by certificate' for ");
        }
    }

    @Test
    void sourceAddressShouldRefuseOtherAddresses() throws Exception {
        sign(USER, "-O", "source-address=192.0.2.0/24");
        try (EmbeddedSluiceServer server = sluice(List.of())) {
            long mark = LogCapture.mark();
            SshRun run = SshRun.run(dir, ssh(server.port()).command("true").commandLine(), null, TIMEOUT);

            assertThat(run.status()).isEqualTo(255);
            assertThat(LogCapture.await(mark, "not from a permitted source address", TIMEOUT))
                    .contains("Authentication tried for " + USER + " with valid certificate but not from a permitted "
                            + "source address (127.0.0.1).");
        }
    }

    /** ssh -tt with a no-pty certificate: the pty request is refused, and ssh ends as it ends against sshd. */
    @Test
    void withoutPermitPtyNoTerminalShouldBeAllocated() throws Exception {
        sign(USER, "-O", "no-pty");
        SshRun sshd;
        try (OpenSshServer real = OpenSshServer.builder().config("TrustedUserCAKeys " + trustedCa).start()) {
            sshd = SshRun.run(dir, ssh(real.port()).args("-tt").command("echo", "no-tty").commandLine(), null,
                    TIMEOUT);
        }
        try (EmbeddedSluiceServer server = sluice(List.of())) {
            SshRun run = SshRun.run(dir, ssh(server.port()).args("-tt").command("echo", "no-tty").commandLine(),
                    null, TIMEOUT);

            assertThat(sshd.stderr()).contains("PTY allocation request failed on channel 0");
            assertThat(run.stderr()).contains("PTY allocation request failed on channel 0");
            assertThat(run.status()).isEqualTo(sshd.status());
            assertThat(run.output()).isEqualTo(sshd.output());
        }
    }

    @Test
    void sluiceSshShouldPresentTheCertificateNextToItsKeyToSshd() throws Exception {
        sign(USER);
        try (OpenSshServer sshd = OpenSshServer.builder().config("TrustedUserCAKeys " + trustedCa).start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            SshRun run = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(userKey.privateKey())
                    .knownHosts(knownHosts).command("echo", "sluice-cert-ok").commandLine(), null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("sluice-cert-ok\n");
            assertThat(sshd.awaitLog("Accepted certificate ID", TIMEOUT))
                    .contains("Accepted certificate ID \"cert-for-" + USER + "\" (serial 17) signed by ED25519 CA");
        }
    }

    @Test
    void sluiceSshShouldPresentACertificateFileNamedByCertificateFile() throws Exception {
        Path cert = sign(USER);
        Path elsewhere = Files.move(cert, dir.resolve("elsewhere-cert.pub"));
        try (OpenSshServer sshd = OpenSshServer.builder().config("TrustedUserCAKeys " + trustedCa).start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            SshRun run = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(userKey.privateKey())
                    .knownHosts(knownHosts).option("CertificateFile", elsewhere.toString()).command("true")
                    .commandLine(), null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(sshd.awaitLog("Accepted certificate ID", TIMEOUT)).contains("cert-for-" + USER);
        }
    }
}
