package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OpenSSH certificates (PROTOCOL.certkeys): certificates made by the real {@code ssh-keygen -s} parse and verify,
 * ours are read by {@code ssh-keygen -L}, every field survives a round trip, and a flipped bit is refused.
 */
class OpenSshCertificateTest {
    private static final SshKeyPair CA = SshKeyPair.generateEd25519("ca");
    private static final List<SshKeyPair> SUBJECTS = List.of(SshKeyPair.generateEd25519("ed"),
            SshKeyPair.generateEcdsa(256, "p256"), SshKeyPair.generateEcdsa(384, "p384"),
            SshKeyPair.generateEcdsa(521, "p521"), SshKeyPair.generateRsa(2048, "rsa"));

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"ed25519,0,ed25519,0", "ecdsa,256,ed25519,0", "ecdsa,384,rsa,2048", "ecdsa,521,ecdsa,384",
        "rsa,2048,ed25519,0", "rsa,3072,rsa,2048", "ed25519,0,ecdsa,521"})
    void sshKeygenUserCertificatesShouldParseAndVerify(String type, int bits, String caType, int caBits)
            throws Exception {
        Path ca = keygen("ca", caType, caBits);
        Path user = keygen("id", type, bits);
        SshKeygen.runOk("-q", "-s", ca.toString(), "-I", "alice@example", "-n", "alice,bob", "-z", "42",
                "-V", "20200101000000:20991231000000", "-O", "force-command=/bin/true",
                "-O", "source-address=127.0.0.1/32,::1", user + ".pub");

        String line = Files.readString(Path.of(user + "-cert.pub")).strip();
        SshPublicKey parsed = PublicKeys.parseLine(line);

        assertThat(parsed).isInstanceOf(OpenSshCertificate.class);
        OpenSshCertificate cert = (OpenSshCertificate) parsed;
        SshKeyPair subject = OpenSshKeyFile.read(user, () -> null);
        assertThat(cert.certifiedKey()).isEqualTo(subject.publicKey());
        assertThat(cert.keyType()).isEqualTo(subject.publicKey().keyType() + "-cert-v01@openssh.com");
        assertThat(cert.signatureKey()).isEqualTo(OpenSshKeyFile.read(ca, () -> null).publicKey());
        assertThat(cert.type()).isEqualTo(OpenSshCertificate.Type.USER);
        assertThat(cert.keyId()).isEqualTo("alice@example");
        assertThat(cert.serial()).isEqualTo(42);
        assertThat(cert.principals()).containsExactly("alice", "bob");
        assertThat(cert.validAfter()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z").getEpochSecond());
        assertThat(cert.validBefore()).isEqualTo(Instant.parse("2099-12-31T00:00:00Z").getEpochSecond());
        assertThat(cert.criticalOptionNames()).containsExactly("force-command", "source-address");
        assertThat(cert.criticalOptionString("force-command")).contains("/bin/true");
        assertThat(cert.criticalOptionString("source-address")).contains("127.0.0.1/32,::1");
        assertThat(cert.extensionNames()).containsExactly("permit-X11-forwarding", "permit-agent-forwarding",
                "permit-port-forwarding", "permit-pty", "permit-user-rc");
        assertThat(cert.toOpenSshLine(null)).isEqualTo(line.substring(0, line.lastIndexOf(' ')));

        byte[] data = "session id and request".getBytes(StandardCharsets.US_ASCII);
        SshKeyPair identity = cert.withPrivateKey(subject);
        for (String algorithm : cert.signatureAlgorithms()) {
            byte[] signature = identity.sign(algorithm, data);
            assertThat(PublicKeys.signatureAlgorithmOf(signature)).isEqualTo(
                    OpenSshCertificate.plainAlgorithm(algorithm));
            assertThat(cert.verify(algorithm, data, signature)).isTrue();
            data[0] ^= 1;
            assertThat(cert.verify(algorithm, data, signature)).isFalse();
            data[0] ^= 1;
        }
    }

    @Test
    void rsaCertificateShouldNameSha2CertificateAlgorithmsAndSha1OnlyWhenAskedByName() {
        OpenSshCertificate cert = OpenSshCertificate.builder(SUBJECTS.get(4).publicKey(),
                OpenSshCertificate.Type.USER).sign(CA, "ssh-ed25519");

        assertThat(cert.keyType()).isEqualTo("ssh-rsa-cert-v01@openssh.com");
        assertThat(cert.signatureAlgorithms()).containsExactly("rsa-sha2-512-cert-v01@openssh.com",
                "rsa-sha2-256-cert-v01@openssh.com");
        assertThat(cert.supportsSignatureAlgorithm("ssh-rsa-cert-v01@openssh.com")).isTrue();
        assertThat(cert.supportsSignatureAlgorithm("rsa-sha2-512")).isFalse();
        assertThat(PublicKeys.isSupported("ssh-rsa-cert-v01@openssh.com")).isTrue();
        assertThat(PublicKeys.isSupported("rsa-sha2-512-cert-v01@openssh.com")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"0,ssh-ed25519", "1,ecdsa-sha2-nistp256", "4,rsa-sha2-512", "4,rsa-sha2-256"})
    void certificatesWeSignShouldBeReadBySshKeygen(int caIndex, String caAlgorithm) throws Exception {
        SshKeyPair ca = SUBJECTS.get(caIndex);
        OpenSshCertificate cert = OpenSshCertificate.builder(SUBJECTS.get(2).publicKey(), OpenSshCertificate.Type.HOST)
                .serial(7).keyId("web host").principals(List.of("web.example", "10.0.0.1"))
                .validAfter(Instant.parse("2024-01-01T00:00:00Z").getEpochSecond())
                .validBefore(Instant.parse("2030-06-01T12:00:00Z").getEpochSecond())
                .sign(ca, caAlgorithm);
        Path file = dir.resolve("host-cert.pub");
        Files.writeString(file, cert.toOpenSshLine("host") + "\n");

        String listing = SshKeygen.runOk("-L", "-f", file.toString());

        assertThat(listing).contains("Type: ecdsa-sha2-nistp384-cert-v01@openssh.com host certificate")
                .contains("Key ID: \"web host\"").contains("Serial: 7")
                .contains("Signing CA: " + PublicKeys.displayName(ca.publicKey().keyType()) + " "
                        + ca.publicKey().fingerprint() + " (using " + caAlgorithm + ")")
                .contains("web.example").contains("10.0.0.1");
        assertThat(PublicKeys.parseLine(Files.readString(file))).isEqualTo(cert);
    }

    @Property(tries = 40)
    void everyFlippedBitShouldBeRefused(@ForAll @IntRange(min = 0, max = 4) int subject,
            @ForAll @IntRange(min = 0, max = 1_000_000) int position) {
        OpenSshCertificate cert = OpenSshCertificate.builder(SUBJECTS.get(subject).publicKey(),
                OpenSshCertificate.Type.USER).keyId("k").principals(List.of("alice")).extension("permit-pty")
                .sign(CA, "ssh-ed25519");
        byte[] blob = cert.blob();
        int bit = position % (blob.length * 8);
        blob[bit / 8] ^= (byte) (1 << (bit % 8));

        assertThatThrownBy(() -> PublicKeys.fromBlob(blob)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void aFlippedBitInAnSshKeygenCertificateShouldFailVerification() throws Exception {
        Path ca = keygen("ca", "ed25519", 0);
        Path user = keygen("id", "ed25519", 0);
        SshKeygen.runOk("-q", "-s", ca.toString(), "-I", "id", "-n", "alice", user + ".pub");
        byte[] blob = Base64.getDecoder().decode(Files.readString(Path.of(user + "-cert.pub")).split(" ")[1]);
        assertThat(PublicKeys.fromBlob(blob)).isInstanceOf(OpenSshCertificate.class);

        for (int i = 0; i < blob.length; i++) {
            byte[] bad = blob.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> PublicKeys.fromBlob(bad)).as("byte %d", i)
                    .isInstanceOf(KeyFormatException.class);
        }
    }

    /** Whether a CA algorithm is acceptable is CASignatureAlgorithms' business: decoding accepts SHA-1 too. */
    @ParameterizedTest
    @CsvSource({"ssh-rsa", "rsa-sha2-256", "rsa-sha2-512"})
    void everyRsaCaSignatureAlgorithmShouldDecodeAndBeNamed(String algorithm) throws Exception {
        Path ca = keygen("rsa_ca", "rsa", 2048);
        Path user = keygen("id", "ed25519", 0);
        SshKeygen.runOk("-q", "-s", ca.toString(), "-t", algorithm, "-I", "id", "-n", "alice", user + ".pub");

        OpenSshCertificate cert = (OpenSshCertificate) PublicKeys.parseLine(
                Files.readString(Path.of(user + "-cert.pub")));

        assertThat(cert.caSignatureAlgorithm()).isEqualTo(algorithm);
        assertThat(OpenSshCertificate.builder(SUBJECTS.get(0).publicKey(), OpenSshCertificate.Type.USER)
                .sign(CA, "ssh-ed25519").caSignatureAlgorithm()).isEqualTo("ssh-ed25519");
    }

    @Test
    void chainedCertificatesShouldBeRefused() {
        OpenSshCertificate caCert = OpenSshCertificate.builder(SUBJECTS.get(0).publicKey(),
                OpenSshCertificate.Type.USER).sign(CA, "ssh-ed25519");
        SshKeyPair certifiedCa = caCert.withPrivateKey(SUBJECTS.get(0));

        assertThatThrownBy(() -> OpenSshCertificate.builder(SUBJECTS.get(1).publicKey(), OpenSshCertificate.Type.USER)
                .sign(certifiedCa, "ssh-ed25519-cert-v01@openssh.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> caCert.withPrivateKey(SUBJECTS.get(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkAuthorityShouldGiveOpenSshReasons() {
        long now = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
        OpenSshCertificate cert = OpenSshCertificate.builder(SUBJECTS.get(0).publicKey(), OpenSshCertificate.Type.USER)
                .principals(List.of("alice")).validAfter(now - 60).validBefore(now + 60).sign(CA, "ssh-ed25519");
        OpenSshCertificate anyone = OpenSshCertificate.builder(SUBJECTS.get(0).publicKey(),
                OpenSshCertificate.Type.USER).sign(CA, "ssh-ed25519");
        Instant at = Instant.ofEpochSecond(now);
        OpenSshCertificate.Type user = OpenSshCertificate.Type.USER;

        assertThat(cert.checkAuthority(user, true, at, "alice")).isNull();
        assertThat(cert.checkAuthority(user, true, at, "bob"))
                .isEqualTo("Certificate invalid: name is not a listed principal");
        assertThat(cert.checkAuthority(OpenSshCertificate.Type.HOST, false, at, "alice"))
                .isEqualTo("Certificate invalid: not a host certificate");
        assertThat(cert.checkAuthority(user, true, at.plusSeconds(60), "alice"))
                .isEqualTo("Certificate invalid: expired");
        assertThat(cert.checkAuthority(user, true, at.minusSeconds(61), "alice"))
                .isEqualTo("Certificate invalid: not yet valid");
        assertThat(anyone.checkAuthority(user, true, at, "alice")).isEqualTo("Certificate lacks principal list");
        assertThat(anyone.checkAuthority(user, false, at, "alice")).isNull();
    }

    @Property(tries = 60)
    void everyFieldShouldSurviveARoundTrip(@ForAll("certificates") OpenSshCertificate cert) {
        SshPublicKey back = PublicKeys.fromBlob(cert.blob());

        assertThat(back).isEqualTo(cert);
        OpenSshCertificate c = (OpenSshCertificate) back;
        assertThat(c.nonce()).isEqualTo(cert.nonce());
        assertThat(c.serial()).isEqualTo(cert.serial());
        assertThat(c.type()).isEqualTo(cert.type());
        assertThat(c.keyId()).isEqualTo(cert.keyId());
        assertThat(c.principals()).isEqualTo(cert.principals());
        assertThat(c.validAfter()).isEqualTo(cert.validAfter());
        assertThat(c.validBefore()).isEqualTo(cert.validBefore());
        assertThat(c.criticalOptionNames()).isEqualTo(cert.criticalOptionNames());
        assertThat(c.extensions().keySet()).isEqualTo(cert.extensions().keySet());
        assertThat(c.signatureKey()).isEqualTo(cert.signatureKey());
        assertThat(c.certifiedKey()).isEqualTo(cert.certifiedKey());
        assertThat(PublicKeys.parseLine(cert.toOpenSshLine("c"))).isEqualTo(cert);
        assertThat(c.verify(cert.signatureAlgorithms().get(0), new byte[] {1},
                cert.withPrivateKey(subjectOf(cert)).sign(cert.signatureAlgorithms().get(0), new byte[] {1})))
                .isTrue();
    }

    private static SshKeyPair subjectOf(OpenSshCertificate cert) {
        return SUBJECTS.stream().filter(k -> k.publicKey().equals(cert.certifiedKey())).findFirst().orElseThrow();
    }

    @Provide
    Arbitrary<OpenSshCertificate> certificates() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
        Arbitrary<Map<String, String>> options = Arbitraries.maps(names, Arbitraries.strings().ofMaxLength(20))
                .ofMaxSize(3).map(TreeMap::new);
        return Combinators.combine(
                Arbitraries.integers().between(0, SUBJECTS.size() - 1),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.of(OpenSshCertificate.Type.values()),
                Arbitraries.strings().ofMaxLength(30),
                names.list().ofMaxSize(4),
                Arbitraries.longs().list().ofSize(3),
                options,
                names.set().ofMaxSize(5).map(ArrayList::new))
                .as((subject, nonce, type, keyId, principals, numbers, critical, extensions) -> {
                    OpenSshCertificate.Builder b = OpenSshCertificate.builder(SUBJECTS.get(subject).publicKey(), type)
                            .nonce(nonce).serial(numbers.get(0)).keyId(keyId).principals(principals)
                            .validAfter(numbers.get(1)).validBefore(numbers.get(2));
                    critical.forEach(b::criticalOption);
                    extensions.stream().sorted().forEach(b::extension);
                    SshKeyPair ca = SUBJECTS.get((subject + 1) % SUBJECTS.size());
                    return b.sign(ca, ca.publicKey().signatureAlgorithms().get(0));
                });
    }

    private Path keygen(String name, String type, int bits) throws Exception {
        Path file = dir.resolve(name + "_" + type + bits);
        if (bits == 0) {
            SshKeygen.runOk("-q", "-t", type, "-N", "", "-f", file.toString());
        } else {
            SshKeygen.runOk("-q", "-t", type, "-b", Integer.toString(bits), "-N", "", "-f", file.toString());
        }
        return file;
    }
}
