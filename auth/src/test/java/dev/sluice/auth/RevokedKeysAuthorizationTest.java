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
 * RevokedKeys at the server, with a list of public keys (KRLs are checked against ssh-keygen in the transport
 * module): a listed key is refused though authorized, a certificate of a revoked CA too, and a missing file refuses
 * every key, as sshd does.
 */
class RevokedKeysAuthorizationTest {
    private static final SshKeyPair CA = SshKeyPair.generateEd25519("ca");
    private static final SshKeyPair REVOKED = SshKeyPair.generateEd25519("revoked");
    private static final SshKeyPair GOOD = SshKeyPair.generateEd25519("good");
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private AuthorizedKeysAuthenticator keys(String revokedList) throws Exception {
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), REVOKED.publicKey().toOpenSshLine("r")
                + "\n" + GOOD.publicKey().toOpenSshLine("g") + "\n");
        Path trusted = Files.writeString(dir.resolve("trusted_ca"), CA.publicKey().toOpenSshLine("ca") + "\n");
        AuthorizedKeysAuthenticator a = new AuthorizedKeysAuthenticator(authorized, trusted,
                Clock.fixed(NOW, ZoneOffset.UTC));
        return revokedList == null ? a.withRevokedKeys(dir.resolve("missing"))
                : a.withRevokedKeys(Files.writeString(dir.resolve("revoked"), revokedList));
    }

    private static OpenSshCertificate cert(SshKeyPair key) {
        return OpenSshCertificate.builder(key.publicKey(), OpenSshCertificate.Type.USER).keyId("k").serial(3)
                .principals(List.of("alice")).validAfter(0).validBefore(NOW.getEpochSecond() + 60)
                .sign(CA, "ssh-ed25519");
    }

    @Test
    void aListedKeyAndItsCertificatesShouldBeRefused() throws Exception {
        AuthorizedKeysAuthenticator keys = keys(REVOKED.publicKey().toOpenSshLine("revoked") + "\n");

        assertThat(keys.isAuthorized("alice", REVOKED.publicKey())).isFalse();
        assertThat(keys.authorize("alice", REVOKED.publicKey(), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", cert(REVOKED), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", GOOD.publicKey(), "127.0.0.1")).isNotNull();
        assertThat(keys.authorize("alice", cert(GOOD), "127.0.0.1")).isNotNull();
    }

    @Test
    void aRevokedCaShouldTakeItsCertificatesWithIt() throws Exception {
        AuthorizedKeysAuthenticator keys = keys(CA.publicKey().toOpenSshLine("ca") + "\n");

        assertThat(keys.authorize("alice", cert(GOOD), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", GOOD.publicKey(), "127.0.0.1")).isNotNull();
    }

    @Test
    void anUnreadableFileShouldRefuseEveryKey() throws Exception {
        AuthorizedKeysAuthenticator keys = keys(null);

        assertThat(keys.isAuthorized("alice", GOOD.publicKey())).isFalse();
        assertThat(keys.authorize("alice", GOOD.publicKey(), "127.0.0.1")).isNull();
        assertThat(keys.withRevokedKeys(null).authorize("alice", GOOD.publicKey(), "127.0.0.1")).isNotNull();
    }
}
