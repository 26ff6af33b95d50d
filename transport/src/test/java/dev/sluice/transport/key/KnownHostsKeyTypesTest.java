package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** known_hosts with ECDSA and RSA keys, checked as ssh's hostfile.c does: another type for the host is a change. */
class KnownHostsKeyTypesTest {
    private static final SshKeyPair ECDSA = SshKeyPair.generateEcdsa(256, "");
    private static final SshKeyPair ECDSA_OTHER = SshKeyPair.generateEcdsa(521, "");
    private static final SshKeyPair RSA = SshKeyPair.generateRsa(2048, "");
    private static final Path FILE = Path.of("known_hosts");

    private static final KnownHosts HOSTS = KnownHosts.parse(FILE,
            "a.example " + ECDSA.publicKey().toOpenSshLine("ecdsa") + "\n"
                    + "[b.example]:2222 " + RSA.publicKey().toOpenSshLine(null) + "\n"
                    + "[b.example]:2222 " + ECDSA_OTHER.publicKey().toOpenSshLine(null) + "\n"
                    + "@revoked c.example " + RSA.publicKey().toOpenSshLine(null) + "\n");

    @Test
    void eachKeyTypeShouldMatchItsOwnLine() {
        assertThat(HOSTS.check("a.example", 22, ECDSA.publicKey()))
                .isEqualTo(new KnownHosts.Result(KnownHosts.Status.MATCH, FILE, 1, "ecdsa-sha2-nistp256"));
        assertThat(HOSTS.check("B.example", 2222, RSA.publicKey()))
                .isEqualTo(new KnownHosts.Result(KnownHosts.Status.MATCH, FILE, 2, "ssh-rsa"));
        assertThat(HOSTS.check("b.example", 2222, ECDSA_OTHER.publicKey()).status())
                .isEqualTo(KnownHosts.Status.MATCH);
    }

    @Test
    void anotherKeyForAKnownHostShouldBeAChangeNamingTheOffendingLine() {
        KnownHosts.Result r = HOSTS.check("a.example", 22, RSA.publicKey());
        assertThat(r).isEqualTo(new KnownHosts.Result(KnownHosts.Status.MISMATCH, FILE, 1, "ecdsa-sha2-nistp256"));
        assertThat(PublicKeys.displayName(r.keyType())).isEqualTo("ECDSA");
        assertThat(HOSTS.check("c.example", 22, RSA.publicKey()).status()).isEqualTo(KnownHosts.Status.REVOKED);
    }

    @Test
    void keyTypesShouldListThePlainLinesForTheHostInFileOrder() {
        assertThat(HOSTS.keyTypes("b.example", 2222)).containsExactly("ssh-rsa", "ecdsa-sha2-nistp521");
        assertThat(HOSTS.keyTypes("c.example", 22)).isEmpty();
        assertThat(HOSTS.keyTypes("b.example", 22)).isEmpty();
    }
}
