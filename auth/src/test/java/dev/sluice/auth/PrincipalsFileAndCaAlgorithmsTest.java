package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.SshKeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AuthorizedPrincipalsFile (principals instead of the user name, per-line options, %u) and CASignatureAlgorithms
 * (SHA-1 {@code ssh-rsa} CA signatures refused by default) for TrustedUserCAKeys certificates, as sshd decides.
 */
class PrincipalsFileAndCaAlgorithmsTest {
    private static final SshKeyPair CA = SshKeyPair.generateEd25519("ca");
    private static final SshKeyPair RSA_CA = SshKeyPair.generateRsa(2048, "rsa ca");
    private static final SshKeyPair USER = SshKeyPair.generateEd25519("user");
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static OpenSshCertificate cert(SshKeyPair ca, String algorithm, String... principals) {
        return OpenSshCertificate.builder(USER.publicKey(), OpenSshCertificate.Type.USER)
                .keyId("backup-job").serial(9).principals(List.of(principals)).extension("permit-pty")
                .extension("permit-agent-forwarding")
                .validAfter(NOW.getEpochSecond() - 60).validBefore(NOW.getEpochSecond() + 60).sign(ca, algorithm);
    }

    private AuthorizedKeysAuthenticator trusting(SshKeyPair... cas) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (SshKeyPair ca : cas) {
            lines.append(ca.publicKey().toOpenSshLine("ca")).append('\n');
        }
        Path trusted = Files.writeString(dir.resolve("trusted_ca"), lines);
        return new AuthorizedKeysAuthenticator(Files.createTempFile(dir, "authorized_keys", ""), trusted, CLOCK);
    }

    @Test
    void aPrincipalsFileShouldReplaceTheUserNameCheck() throws Exception {
        Files.writeString(dir.resolve("principals"), """
                # who may log in as this user
                  ops-team   # trailing comment
                backup
                """);
        AuthorizedKeysAuthenticator keys = trusting(CA).withAuthorizedPrincipalsFile(dir + "/principals");

        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "backup"), "127.0.0.1"))
                .as("a listed principal, whatever the user name").isNotNull();
        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "x", "ops-team"), "127.0.0.1")).isNotNull();
        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "alice"), "127.0.0.1"))
                .as("the user name alone is no longer enough").isNull();
        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519"), "127.0.0.1")).as("no principals").isNull();
    }

    @Test
    void aPrincipalsLinesOptionsShouldNarrowTheCertificate() throws Exception {
        Files.writeString(dir.resolve("principals"), """
                command="/usr/bin/backup --now",no-agent-forwarding backup
                from="10.0.0.0/8" remote
                bad-option oops
                """);
        AuthorizedKeysAuthenticator keys = trusting(CA).withAuthorizedPrincipalsFile(dir + "/principals");

        KeyRestrictions backup = keys.authorize("alice", cert(CA, "ssh-ed25519", "backup"), "127.0.0.1");
        assertThat(backup.forcedCommand()).contains("/usr/bin/backup --now");
        assertThat(backup.agentForwardingAllowed()).isFalse();
        assertThat(backup.ptyAllowed()).as("the certificate's permit-pty").isTrue();
        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "remote"), "127.0.0.1")).as("from=").isNull();
        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "remote"), "10.1.2.3")).isNotNull();
        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "oops"), "127.0.0.1")).as("bad options").isNull();
    }

    @Test
    void percentUShouldNameTheRequestedUsersFileAndAMissingFileRefuse() throws Exception {
        Files.createDirectories(dir.resolve("principals.d"));
        Files.writeString(dir.resolve("principals.d/alice"), "backup\n");
        AuthorizedKeysAuthenticator keys = trusting(CA).withAuthorizedPrincipalsFile(dir + "/principals.d/%u");

        assertThat(keys.authorize("alice", cert(CA, "ssh-ed25519", "backup"), "127.0.0.1")).isNotNull();
        assertThat(keys.authorize("bob", cert(CA, "ssh-ed25519", "backup"), "127.0.0.1")).isNull();
        assertThat(trusting(CA).withAuthorizedPrincipalsFile("none")
                .authorize("alice", cert(CA, "ssh-ed25519", "alice"), "127.0.0.1")).as("none").isNotNull();
    }

    @Test
    void caSignatureAlgorithmsShouldRefuseSha1RsaByDefault() throws Exception {
        AuthorizedKeysAuthenticator keys = trusting(RSA_CA);
        OpenSshCertificate sha1 = cert(RSA_CA, "ssh-rsa", "alice");
        OpenSshCertificate sha512 = cert(RSA_CA, "rsa-sha2-512", "alice");

        assertThat(sha1.caSignatureAlgorithm()).isEqualTo("ssh-rsa");
        assertThat(keys.isAuthorized("alice", sha1)).isFalse();
        assertThat(keys.authorize("alice", sha1, "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", sha512, "127.0.0.1")).isNotNull();

        AuthorizedKeysAuthenticator legacy = keys.withCaSignatureAlgorithms(List.of("rsa-sha2-512", "ssh-rsa"));
        assertThat(legacy.authorize("alice", sha1, "127.0.0.1")).isNotNull();
        AuthorizedKeysAuthenticator ed25519Only = keys.withCaSignatureAlgorithms(List.of("ssh-ed25519"));
        assertThat(ed25519Only.authorize("alice", sha512, "127.0.0.1")).isNull();

        Path certAuthority = Files.writeString(dir.resolve("ca_line"), "cert-authority "
                + RSA_CA.publicKey().toOpenSshLine("ca") + "\n");
        AuthorizedKeysAuthenticator line = new AuthorizedKeysAuthenticator(certAuthority, null, CLOCK);
        assertThat(line.isAuthorized("alice", sha512)).as("a cert-authority line").isTrue();
        assertThat(line.isAuthorized("alice", sha1)).as("a cert-authority line, SHA-1").isFalse();
    }
}
