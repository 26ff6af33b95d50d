package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.SshKeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User certificates at the server: TrustedUserCAKeys and {@code cert-authority} lines, principals, the validity
 * window, critical options and extensions, as sshd decides them.
 */
class CertificateAuthorizationTest {
    private static final SshKeyPair CA = SshKeyPair.generateEd25519("ca");
    private static final SshKeyPair OTHER_CA = SshKeyPair.generateEd25519("other ca");
    private static final SshKeyPair USER = SshKeyPair.generateEd25519("user");
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private OpenSshCertificate cert(SshKeyPair ca, UnaryOperator<OpenSshCertificate.Builder> fields) {
        OpenSshCertificate.Builder b = OpenSshCertificate.builder(USER.publicKey(), OpenSshCertificate.Type.USER)
                .keyId("alice-laptop").serial(5).principals(List.of("alice"))
                .validAfter(NOW.getEpochSecond() - 3600).validBefore(NOW.getEpochSecond() + 3600);
        return fields.apply(b).sign(ca, "ssh-ed25519");
    }

    /** An authenticator trusting {@link #CA} by TrustedUserCAKeys, with its own authorized_keys file. */
    private AuthorizedKeysAuthenticator trusting(List<String> authorizedKeys) throws Exception {
        Path ca = dir.resolve("trusted_ca");
        Files.writeString(ca, CA.publicKey().toOpenSshLine("ca") + "\n");
        Path authorized = Files.createTempFile(dir, "authorized_keys", "");
        Files.write(authorized, authorizedKeys);
        return new AuthorizedKeysAuthenticator(authorized, ca, CLOCK);
    }

    @Test
    void trustedUserCaKeysShouldAcceptAListedPrincipalWithinTheWindow() throws Exception {
        AuthorizedKeysAuthenticator keys = trusting(List.of());
        OpenSshCertificate cert = cert(CA, b -> b.extension("permit-pty").extension("permit-port-forwarding"));

        KeyRestrictions r = keys.authorize("alice", cert, "127.0.0.1");

        assertThat(r).isNotNull();
        assertThat(r.portForwardingAllowed()).isTrue();
        assertThat(r.ptyAllowed()).isTrue();
        assertThat(r.agentForwardingAllowed()).isFalse();
        assertThat(keys.authorize("bob", cert, "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", cert(OTHER_CA, b -> b), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", USER.publicKey(), "127.0.0.1")).isNull();
    }

    @Test
    void expiredNotYetValidHostAndPrincipalLessCertificatesShouldBeRefused() throws Exception {
        AuthorizedKeysAuthenticator keys = trusting(List.of());
        long now = NOW.getEpochSecond();

        assertThat(keys.authorize("alice", cert(CA, b -> b.validBefore(now)), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", cert(CA, b -> b.validAfter(now + 1)), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", cert(CA, b -> b.principals(List.of())), "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", OpenSshCertificate.builder(USER.publicKey(), OpenSshCertificate.Type.HOST)
                .principals(List.of("alice")).sign(CA, "ssh-ed25519"), "127.0.0.1")).isNull();
    }

    @Test
    void withoutPermitPortForwardingTheLoginShouldNotForward() throws Exception {
        KeyRestrictions r = trusting(List.of()).authorize("alice", cert(CA, b -> b.extension("permit-pty")),
                "127.0.0.1");

        assertThat(r.portForwardingAllowed()).isFalse();
        assertThat(r.permitsOpen("127.0.0.1", 80)).isFalse();
        assertThat(r.permitsListen("127.0.0.1", 8080)).isFalse();
        assertThat(r.ptyAllowed()).isTrue();
    }

    @Test
    void criticalOptionsShouldForceTheCommandAndLimitTheSource() throws Exception {
        AuthorizedKeysAuthenticator keys = trusting(List.of());
        OpenSshCertificate cert = cert(CA, b -> b.criticalOption("force-command", "/usr/bin/uptime")
                .criticalOption("source-address", "10.0.0.0/8,127.0.0.1"));

        assertThat(keys.authorize("alice", cert, "127.0.0.1").forcedCommand()).contains("/usr/bin/uptime");
        assertThat(keys.authorize("alice", cert, "10.1.2.3")).isNotNull();
        assertThat(keys.authorize("alice", cert, "192.168.1.1")).isNull();
        assertThat(keys.authorize("alice", cert(CA, b -> b.criticalOption("no-such-option@example.com", "x")),
                "127.0.0.1")).isNull();
        assertThat(keys.authorize("alice", cert(CA, b -> b.criticalOption("source-address", "10.0.0.1/8")),
                "10.0.0.1")).isNull();
    }

    @Test
    void certAuthorityLinesShouldCheckPrincipalsOrTheUserName() throws Exception {
        String ca = OTHER_CA.publicKey().toOpenSshLine("ca");
        AuthorizedKeysAuthenticator keys = trusting(List.of(
                "cert-authority,principals=\"ops,admin\",no-pty " + ca));
        AuthorizedKeysAuthenticator byName = trusting(List.of("cert-authority " + ca));
        AuthorizedKeysAuthenticator plainLine = trusting(List.of(ca));

        OpenSshCertificate ops = cert(OTHER_CA, b -> b.principals(List.of("ops")).extension("permit-pty")
                .extension("permit-port-forwarding"));
        KeyRestrictions r = keys.authorize("root", ops, "127.0.0.1");
        assertThat(r).isNotNull();
        assertThat(r.ptyAllowed()).isFalse();
        assertThat(r.portForwardingAllowed()).isTrue();
        assertThat(keys.authorize("root", cert(OTHER_CA, b -> b), "127.0.0.1")).isNull();

        assertThat(byName.authorize("alice", cert(OTHER_CA, b -> b), "127.0.0.1")).isNotNull();
        assertThat(byName.authorize("root", cert(OTHER_CA, b -> b), "127.0.0.1")).isNull();
        assertThat(byName.authorize("alice", cert(OTHER_CA, b -> b.validBefore(NOW.getEpochSecond())),
                "127.0.0.1")).isNull();
        assertThat(plainLine.authorize("alice", cert(OTHER_CA, b -> b), "127.0.0.1")).isNull();
        assertThat(byName.authorize("alice", OTHER_CA.publicKey(), "127.0.0.1")).isNull();
    }

    @Test
    void aLineAndACertificateForcingDifferentCommandsShouldNotMerge() {
        KeyRestrictions line = KeyRestrictions.parse(List.of("command=\"a\""), ZoneOffset.UTC);
        KeyRestrictions cert = KeyRestrictions.fromCertificate(cert(CA, b -> b.criticalOption("force-command", "b")));

        assertThatThrownBy(() -> line.narrowedBy(cert)).hasMessage("forced command options do not match");
        assertThat(KeyRestrictions.NONE.narrowedBy(cert).forcedCommand()).contains("b");
    }
}
