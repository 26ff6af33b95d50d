package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys and certificates made by the real {@code ssh-keygen} against the key policy keywords: {@code sluice server}'s
 * AuthorizedPrincipalsFile, CASignatureAlgorithms (OpenSSH's ssh logging in, sshd refusing the same SHA-1
 * certificate) and RevokedKeys (a KRL from {@code ssh-keygen -k}, and a key list, with sshd refusing the same keys),
 * and {@code sluice ssh}'s CASignatureAlgorithms for an sshd host certificate (compared with ssh).
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CertificatePolicyInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = System.getProperty("user.name");
    private static final String SHA1_REFUSED = "certificate signature algorithm ssh-rsa: signature algorithm not "
            + "supported";

    @TempDir
    Path dir;

    /** {@code ssh-keygen -s ca -I id [options] key.pub}, writing {@code key-cert.pub}. */
    private void sign(OpenSshKeys.KeyPairFiles ca, OpenSshKeys.KeyPairFiles key, String... options)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", ca.privateKey().toString(),
                "-I", "policy-test"));
        command.addAll(List.of(options));
        command.add(key.publicKey().toString());
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen -s", command)) {
            assertThat(keygen.awaitExit(TIMEOUT)).as(keygen.stderr()).isZero();
        }
    }

    /** {@code sluice server -f config} with a fresh host key, the given sshd_config lines, and its port. */
    private record SluiceServer(ManagedProcess process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    private SluiceServer sluiceServer(String name, String... configLines) throws IOException {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, name + "_host_key");
        Path config = Files.writeString(dir.resolve(name + "_config"), "HostKey " + hostKey.privateKey() + "\n"
                + "AuthorizedKeysFile " + Files.createFile(dir.resolve(name + "_authorized_keys")) + "\n"
                + String.join("\n", configLines) + "\n");
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("--bind", "127.0.0.1", "-p", "0", "-f", config.toString()));
        ManagedProcess server = ManagedProcess.start("sluice server", command);
        String listening = server.awaitStdout("listening on ", TIMEOUT);
        return new SluiceServer(server, Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim()));
    }

    private SshRun openSsh(int port, OpenSshKeys.KeyPairFiles key) throws Exception {
        return SshRun.run(dir, OpenSshClient.to(port).identity(key.privateKey()).logLevel("ERROR")
                .command("echo", "logged-in").commandLine(), null, TIMEOUT);
    }

    @Test
    void authorizedPrincipalsFileShouldDecideWhichCertificatesLogIn() throws Exception {
        OpenSshKeys.KeyPairFiles ca = OpenSshKeys.ed25519(dir, "user_ca");
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "id_user");
        Path trusted = Files.writeString(dir.resolve("trusted_ca"), ca.publicKeyLine() + "\n");
        Files.createDirectories(dir.resolve("principals"));
        Files.writeString(dir.resolve("principals/" + USER), "# the roles that may log in as this user\n"
                + "command=\"echo forced-for-backup\" backup\nops\n");
        try (SluiceServer server = sluiceServer("principals", "TrustedUserCAKeys " + trusted,
                "AuthorizedPrincipalsFile " + dir.resolve("principals") + "/%u")) {
            sign(ca, key, "-n", "ops");
            SshRun ops = openSsh(server.port(), key);
            assertThat(ops.status()).as(ops.stderr()).isZero();
            assertThat(ops.output()).isEqualTo("logged-in\n");

            sign(ca, key, "-n", "backup");
            SshRun backup = openSsh(server.port(), key);
            assertThat(backup.status()).as(backup.stderr()).isZero();
            assertThat(backup.output()).as("the principal line's command=").isEqualTo("forced-for-backup\n");

            sign(ca, key, "-n", USER);
            SshRun user = openSsh(server.port(), key);
            assertThat(user.status()).as("the user name is not a listed principal").isEqualTo(255);
            assertThat(user.stderr()).contains("Permission denied (publickey).");
            assertThat(server.process().awaitStderr("Certificate does not contain an authorized principal",
                    TIMEOUT)).isNotEmpty();
        }
    }

    @Test
    void sha1RsaCaSignaturesShouldBeRefusedByDefaultAsSshdRefusesThem() throws Exception {
        OpenSshKeys.KeyPairFiles ca = OpenSshKeys.generate(dir, "rsa_ca", "rsa", 2048);
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "id_user");
        Path trusted = Files.writeString(dir.resolve("trusted_ca"), ca.publicKeyLine() + "\n");
        sign(ca, key, "-n", USER, "-t", "ssh-rsa");

        try (OpenSshServer sshd = OpenSshServer.builder().config("TrustedUserCAKeys " + trusted).start()) {
            SshRun refused = openSsh(sshd.port(), key);
            assertThat(refused.status()).as("sshd itself").isEqualTo(255);
            assertThat(sshd.awaitLog(SHA1_REFUSED, TIMEOUT)).isNotEmpty();
        }
        try (SluiceServer server = sluiceServer("default", "TrustedUserCAKeys " + trusted)) {
            SshRun refused = openSsh(server.port(), key);
            assertThat(refused.status()).isEqualTo(255);
            assertThat(refused.stderr()).contains("Permission denied (publickey).");
            assertThat(server.process().awaitStderr(SHA1_REFUSED, TIMEOUT)).isNotEmpty();
        }
        try (SluiceServer server = sluiceServer("legacy", "TrustedUserCAKeys " + trusted,
                "CASignatureAlgorithms +ssh-rsa")) {
            SshRun accepted = openSsh(server.port(), key);
            assertThat(accepted.status()).as(accepted.stderr()).isZero();
            assertThat(accepted.output()).isEqualTo("logged-in\n");
        }
        sign(ca, key, "-n", USER, "-t", "rsa-sha2-512");
        try (SluiceServer server = sluiceServer("sha2", "TrustedUserCAKeys " + trusted)) {
            SshRun accepted = openSsh(server.port(), key);
            assertThat(accepted.status()).as(accepted.stderr()).isZero();
        }
    }

    @Test
    void revokedKeysShouldRefuseWhatAKrlOrAKeyListRevokesAsSshdDoes() throws Exception {
        OpenSshKeys.KeyPairFiles ca = OpenSshKeys.ed25519(dir, "user_ca");
        OpenSshKeys.KeyPairFiles revoked = OpenSshKeys.ed25519(dir, "id_revoked");
        OpenSshKeys.KeyPairFiles good = OpenSshKeys.ed25519(dir, "id_good");
        Path trusted = Files.writeString(dir.resolve("trusted_ca"), ca.publicKeyLine() + "\n");
        Path spec = Files.writeString(dir.resolve("krl_spec"), "key: " + revoked.publicKeyLine() + "\n"
                + "serial: 40-49\n");
        Path krl = dir.resolve("revoked.krl");
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen -k", List.of("ssh-keygen", "-k", "-f",
                krl.toString(), "-s", ca.publicKey().toString(), spec.toString()))) {
            assertThat(keygen.awaitExit(TIMEOUT)).as(keygen.stderr()).isZero();
        }
        String authorized = revoked.publicKeyLine() + "\n" + good.publicKeyLine() + "\n";
        String refusal = "Authentication key ED25519 " + dev.sluice.transport.key.PublicKeys
                .parseLine(revoked.publicKeyLine()).fingerprint() + " revoked by file " + krl;

        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(revoked.publicKeyLine())
                .authorizedKey(good.publicKeyLine()).config("RevokedKeys " + krl).start()) {
            assertThat(openSsh(sshd.port(), revoked).status()).as("sshd itself").isEqualTo(255);
            assertThat(sshd.awaitLog(refusal, TIMEOUT)).isNotEmpty();
            assertThat(openSsh(sshd.port(), good).status()).isZero();
        }
        try (SluiceServer server = sluiceServer("krl", "RevokedKeys " + krl, "TrustedUserCAKeys " + trusted)) {
            Files.writeString(dir.resolve("krl_authorized_keys"), authorized);
            SshRun refused = openSsh(server.port(), revoked);
            assertThat(refused.status()).isEqualTo(255);
            assertThat(refused.stderr()).contains("Permission denied (publickey).");
            assertThat(server.process().awaitStderr(refusal, TIMEOUT)).isNotEmpty();
            assertThat(openSsh(server.port(), good).output()).isEqualTo("logged-in\n");

            // Only its certificate can log this key in (it is not in authorized_keys).
            OpenSshKeys.KeyPairFiles certified = OpenSshKeys.ed25519(dir, "id_certified");
            sign(ca, certified, "-n", USER, "-z", "42");
            assertThat(openSsh(server.port(), certified).status()).as("a certificate with a revoked serial")
                    .isEqualTo(255);
            sign(ca, certified, "-n", USER, "-z", "50");
            assertThat(openSsh(server.port(), certified).output()).isEqualTo("logged-in\n");
        }
        Path list = Files.writeString(dir.resolve("revoked_keys"), revoked.publicKeyLine() + "\n");
        try (SluiceServer server = sluiceServer("list", "RevokedKeys " + list)) {
            Files.writeString(dir.resolve("list_authorized_keys"), authorized);
            assertThat(openSsh(server.port(), revoked).status()).isEqualTo(255);
            assertThat(openSsh(server.port(), good).output()).isEqualTo("logged-in\n");
        }
    }

    @Test
    void sluiceSshShouldTreatASha1SignedHostCertificateAsSshDoes() throws Exception {
        OpenSshKeys.KeyPairFiles ca = OpenSshKeys.generate(dir, "host_ca", "rsa", 2048);
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "ssh_host_ed25519_key");
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "id_user");
        sign(ca, hostKey, "-h", "-n", "127.0.0.1", "-t", "ssh-rsa");
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(key.publicKeyLine())
                .config("HostKey " + hostKey.privateKey())
                .config("HostCertificate " + hostKey.privateKey() + "-cert.pub").start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "@cert-authority [127.0.0.1]:"
                    + sshd.port() + " " + ca.publicKeyLine() + "\n");
            String certAlgorithm = "ssh-ed25519-cert-v01@openssh.com";
            SshRun openssh = SshRun.run(dir, OpenSshClient.to(sshd.port()).identity(key.privateKey())
                    .logLevel("INFO").option("StrictHostKeyChecking", "yes")
                    .option("UserKnownHostsFile", knownHosts.toString()).option("HostKeyAlgorithms", certAlgorithm)
                    .command("true").commandLine(), null, TIMEOUT);
            SshRun sluice = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(key.privateKey())
                    .knownHosts(knownHosts).option("HostKeyAlgorithms", certAlgorithm).command("true")
                    .commandLine(), null, TIMEOUT);
            SshRun allowed = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(key.privateKey())
                    .knownHosts(knownHosts).option("HostKeyAlgorithms", certAlgorithm)
                    .option("CASignatureAlgorithms", "+ssh-rsa").command("echo", "trusted").commandLine(), null,
                    TIMEOUT);

            assertThat(openssh.status()).isEqualTo(255);
            assertThat(openssh.stderr()).contains("Certificate signed with disallowed algorithm")
                    .contains("Host key verification failed.");
            assertThat(sluice.status()).isEqualTo(255);
            assertThat(sluice.stderr()).contains("Certificate signed with disallowed algorithm")
                    .contains("No ED25519 host key is known for [127.0.0.1]:" + sshd.port()
                            + " and you have requested strict checking.")
                    .contains("Host key verification failed.");
            assertThat(allowed.status()).as(allowed.stderr()).isZero();
            assertThat(allowed.output()).isEqualTo("trusted\n");
        }
    }
}
