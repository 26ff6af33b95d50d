package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.session.SessionConfig;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
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
 * Host certificates made by {@code ssh-keygen -s -h}: OpenSSH's ssh trusts a Sluice server's certificate through an
 * {@code @cert-authority} known_hosts line, Sluice's ssh trusts sshd's (HostCertificate) the same way, and an
 * invalid certificate makes Sluice's ssh fall back to the plain key and print what ssh prints.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostCertificateInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private OpenSshKeys.KeyPairFiles ca;
    private OpenSshKeys.KeyPairFiles hostKey;
    private OpenSshKeys.KeyPairFiles userKey;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @BeforeEach
    void makeKeys() throws IOException {
        ca = OpenSshKeys.ed25519(dir, "host_ca");
        hostKey = OpenSshKeys.ed25519(dir, "ssh_host_ed25519_key");
        userKey = OpenSshKeys.ed25519(dir, "id_user");
    }

    /** {@code ssh-keygen -s ca -h -I host -n principals [extra] host.pub}, writing the host key's -cert.pub. */
    private Path signHost(String principals, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", ca.privateKey().toString(), "-h",
                "-I", "host-cert", "-n", principals));
        command.addAll(List.of(extra));
        command.add(hostKey.publicKey().toString());
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen -s -h", command)) {
            assertThat(keygen.awaitExit(TIMEOUT)).as(keygen.stderr()).isZero();
        }
        return Path.of(hostKey.privateKey() + "-cert.pub");
    }

    private Path caKnownHosts(String hosts) throws IOException {
        return Files.writeString(dir.resolve("known_hosts"), "@cert-authority " + hosts + " " + ca.publicKeyLine()
                + "\n");
    }

    @Test
    void openSshClientShouldTrustASluiceHostCertificateThroughCertAuthority() throws Exception {
        Path certFile = signHost("127.0.0.1");
        SshKeyPair plain = OpenSshKeyFile.read(hostKey.privateKey(), () -> null);
        OpenSshCertificate cert = (OpenSshCertificate) PublicKeys.parseLine(Files.readString(certFile));
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(userKey.publicKeyLine()),
                List.of(cert.withPrivateKey(plain), plain), t -> t)) {
            Path knownHosts = caKnownHosts("[127.0.0.1]:" + server.port());
            try (ManagedProcess ssh = OpenSshClient.to(server.port()).identity(userKey.privateKey())
                    .logLevel("DEBUG").option("StrictHostKeyChecking", "yes")
                    .option("UserKnownHostsFile", knownHosts.toString()).start()) {
                ssh.awaitStderr("Authenticated to", TIMEOUT);
                assertThat(ssh.stderr())
                        .contains("Server host certificate: ssh-ed25519-cert-v01@openssh.com")
                        .contains("Host '[127.0.0.1]:" + server.port() + "' is known and matches the ED25519-CERT "
                                + "host certificate.");
            }
        }
    }

    @Test
    void sluiceSshShouldTrustAnSshdHostCertificateThroughCertAuthority() throws Exception {
        Path certFile = signHost("127.0.0.1,localhost");
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(userKey.publicKeyLine()).logLevel("DEBUG1")
                .config("HostKey " + hostKey.privateKey()).config("HostCertificate " + certFile).start()) {
            Path knownHosts = caKnownHosts("[127.0.0.1]:" + sshd.port());
            SshRun run = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(userKey.privateKey())
                    .knownHosts(knownHosts).command("echo", "host-cert-ok").commandLine(), null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("host-cert-ok\n");
            assertThat(sshd.log()).contains("kex: host key algorithm: ssh-ed25519-cert-v01@openssh.com");
        }
    }

    /** An invalid host certificate: the reason as ssh gives it, then the plain key, unknown here, is refused. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1     | -V 20200101:20200102 | Certificate invalid: expired",
        "other.example | -V always:forever    | Certificate invalid: name is not a listed principal",
    })
    void anInvalidHostCertificateShouldFallBackToThePlainKeyAsSshDoes(String principal, String validity,
            String reason) throws Exception {
        Path certFile = signHost(principal, validity.split(" "));
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(userKey.publicKeyLine())
                .config("HostKey " + hostKey.privateKey()).config("HostCertificate " + certFile).start()) {
            Path knownHosts = caKnownHosts("[127.0.0.1]:" + sshd.port());
            SshRun openssh = SshRun.run(dir, OpenSshClient.to(sshd.port()).identity(userKey.privateKey())
                    .option("StrictHostKeyChecking", "yes").option("UserKnownHostsFile", knownHosts.toString())
                    .option("HostKeyAlgorithms", "ssh-ed25519-cert-v01@openssh.com")
                    .command("true").commandLine(), null, TIMEOUT);
            SshRun sluice = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(userKey.privateKey())
                    .knownHosts(knownHosts).option("HostKeyAlgorithms", "ssh-ed25519-cert-v01@openssh.com")
                    .command("true").commandLine(), null, TIMEOUT);

            assertThat(openssh.status()).isEqualTo(255);
            assertThat(openssh.stderr()).contains(reason).contains("Host key verification failed.");
            assertThat(sluice.status()).isEqualTo(255);
            assertThat(sluice.stderr()).contains(reason)
                    .contains("No ED25519 host key is known for [127.0.0.1]:" + sshd.port()
                            + " and you have requested strict checking.")
                    .contains("Host key verification failed.");
        }
    }

    @Test
    void sluiceServerShouldOfferTheCertificateAlgorithmsFirst() throws Exception {
        signHost("127.0.0.1");
        SshKeyPair plain = OpenSshKeyFile.read(hostKey.privateKey(), () -> null);
        OpenSshCertificate cert = (OpenSshCertificate) PublicKeys.parseLine(
                Files.readString(Path.of(hostKey.privateKey() + "-cert.pub")));
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(userKey.publicKeyLine()),
                List.of(cert.withPrivateKey(plain), plain), t -> t);
                ManagedProcess ssh = OpenSshClient.to(server.port()).identity(userKey.privateKey())
                        .logLevel("DEBUG3").option("HostKeyAlgorithms", "ssh-rsa").command("true").start()) {
            assertThat(ssh.awaitExit(TIMEOUT)).isEqualTo(255);
            assertThat(ssh.stderr()).contains("no matching host key type found. Their offer: "
                    + "ssh-ed25519-cert-v01@openssh.com,ssh-ed25519");
        }
    }
}
