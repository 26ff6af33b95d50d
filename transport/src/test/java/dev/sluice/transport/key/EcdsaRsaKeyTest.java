package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ECDSA (RFC 5656) and RSA (RFC 8332) keys: blobs, signatures, OpenSSH key files in both directions with the real
 * ssh-keygen, and .pub lines.
 */
class EcdsaRsaKeyTest {
    private static final List<SshKeyPair> KEYS = List.of(SshKeyPair.generateEcdsa(256, "p256"),
            SshKeyPair.generateEcdsa(384, "p384"), SshKeyPair.generateEcdsa(521, "p521"),
            SshKeyPair.generateRsa(2048, "rsa"));

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"ecdsa,256,ecdsa-sha2-nistp256", "ecdsa,384,ecdsa-sha2-nistp384", "ecdsa,521,ecdsa-sha2-nistp521",
        "rsa,2048,ssh-rsa", "rsa,3072,ssh-rsa"})
    void sshKeygenFilesShouldReadAndSignWhatOpenSshVerifies(String type, int bits, String keyType) throws Exception {
        Path file = dir.resolve("id_" + type + bits);
        SshKeygen.runOk("-q", "-t", type, "-b", Integer.toString(bits), "-N", "", "-C", "made by ssh-keygen",
                "-f", file.toString());

        SshKeyPair key = OpenSshKeyFile.read(file, () -> null);

        assertThat(key.publicKey().keyType()).isEqualTo(keyType);
        assertThat(key.publicKey().bits()).isEqualTo(bits);
        assertThat(key.comment()).isEqualTo("made by ssh-keygen");
        String pubLine = Files.readString(OpenSshKeyFile.publicKeyPath(file)).trim();
        assertThat(key.publicKey().toOpenSshLine(key.comment())).isEqualTo(pubLine);
        assertThat(PublicKeys.parseLine(pubLine)).isEqualTo(key.publicKey());
        assertThat(SshKeygen.runOk("-l", "-f", file.toString())).contains(key.publicKey().fingerprint());
        assertSshKeygenVerifies(key, file);
    }

    @ParameterizedTest
    @CsvSource({"0,", "1,", "2,", "3,", "3,secret words"})
    void filesWeWriteShouldBeReadBySshKeygen(int which, String passphrase) throws Exception {
        SshKeyPair key = KEYS.get(which);
        Path file = dir.resolve("written");
        OpenSshKeyFile.write(file, key, passphrase == null ? null : passphrase.toCharArray());

        String[] args = passphrase == null ? new String[] {"-y", "-f", file.toString()}
                : new String[] {"-y", "-P", passphrase, "-f", file.toString()};
        assertThat(SshKeygen.runOk(args).trim()).isEqualTo(key.publicKey().toOpenSshLine(key.comment()));
        SshKeyPair back = OpenSshKeyFile.read(file, () -> passphrase == null ? null : passphrase.toCharArray());
        assertThat(back.publicKey()).isEqualTo(key.publicKey());
        assertThat(back.comment()).isEqualTo(key.comment());
    }

    @Test
    void rsaShouldSignWithTheNamedAlgorithmAndVerifySha1OnlyWhenNamed() {
        SshKeyPair rsa = KEYS.get(3);
        byte[] data = "exchange hash".getBytes(StandardCharsets.US_ASCII);
        assertThat(rsa.publicKey().signatureAlgorithms()).containsExactly("rsa-sha2-512", "rsa-sha2-256");
        for (String alg : List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")) {
            byte[] sig = rsa.sign(alg, data);
            assertThat(SshReader.of(sig).readAscii()).isEqualTo(alg);
            assertThat(rsa.publicKey().verify(alg, data, sig)).as(alg).isTrue();
        }
        byte[] sha1 = rsa.sign("ssh-rsa", data);
        assertThat(rsa.publicKey().verify(data, sha1)).as("SHA-1 without naming it").isFalse();
        assertThat(rsa.publicKey().verify("rsa-sha2-256", data, rsa.sign("rsa-sha2-512", data))).isFalse();
        assertThat(rsa.sign(data)).startsWith(SshWriter.heap().writeAscii("rsa-sha2-512").toByteArray());
        assertThatThrownBy(() -> rsa.sign("ssh-ed25519", data)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rsaSignatureWithoutItsLeadingZerosShouldStillVerify() {
        SshKeyPair rsa = KEYS.get(3);
        for (int i = 0; i < 2000; i++) {
            byte[] data = ("message " + i).getBytes(StandardCharsets.US_ASCII);
            byte[] blob = rsa.sign("rsa-sha2-256", data);
            SshReader r = SshReader.of(blob);
            r.readAscii();
            byte[] sig = r.readBytes();
            if (sig[0] == 0) {
                byte[] stripped = SshWriter.heap().writeAscii("rsa-sha2-256")
                        .writeBytes(Arrays.copyOfRange(sig, 1, sig.length)).toByteArray();
                assertThat(rsa.publicKey().verify("rsa-sha2-256", data, stripped)).isTrue();
                return;
            }
        }
        throw new AssertionError("no signature with a leading zero byte in 2000 tries");
    }

    @Test
    void ecdsaBlobShouldFollowRfc5656AndRejectAPointOffTheCurve() {
        SshKeyPair key = KEYS.get(0);
        SshReader r = SshReader.of(key.publicKey().blob());
        assertThat(r.readAscii()).isEqualTo("ecdsa-sha2-nistp256");
        assertThat(r.readAscii()).isEqualTo("nistp256");
        byte[] q = r.readBytes();
        assertThat(q).hasSize(65);
        assertThat(q[0]).isEqualTo((byte) 4);
        q[64] ^= 1;
        byte[] bad = SshWriter.heap().writeAscii("ecdsa-sha2-nistp256").writeAscii("nistp256").writeBytes(q)
                .toByteArray();
        assertThatThrownBy(() -> PublicKeys.fromBlob(bad)).isInstanceOf(KeyFormatException.class);
        byte[] wrongCurve = SshWriter.heap().writeAscii("ecdsa-sha2-nistp256").writeAscii("nistp384")
                .writeBytes(q).toByteArray();
        assertThatThrownBy(() -> PublicKeys.fromBlob(wrongCurve)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void rsaKeysBelow1024BitsShouldBeRefusedAsOpenSshDoes() {
        byte[] small = SshWriter.heap().writeAscii("ssh-rsa").writeMpint(BigInteger.valueOf(65537))
                .writeMpint(BigInteger.ONE.shiftLeft(1000).add(BigInteger.ONE)).toByteArray();
        assertThatThrownBy(() -> PublicKeys.fromBlob(small)).isInstanceOf(KeyFormatException.class)
                .hasMessageContaining("1001 bits");
        assertThatThrownBy(() -> SshKeyPair.generateRsa(512, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SshKeyPair.generateEcdsa(255, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 100)
    void signaturesShouldVerifyAndAnyFlippedBitShouldNot(@ForAll("keys") SshKeyPair key,
            @ForAll @Size(max = 200) byte[] data, @ForAll @IntRange(min = 0, max = 10_000) int flip) {
        String alg = key.publicKey().signatureAlgorithms().get(0);
        byte[] sig = key.sign(alg, data);
        assertThat(key.publicKey().verify(alg, data, sig)).isTrue();
        byte[] bad = sig.clone();
        int bit = flip % (bad.length * 8);
        bad[bit / 8] ^= (byte) (1 << (bit % 8));
        assertThat(key.publicKey().verify(alg, data, bad)).isFalse();
    }

    @Property(tries = 40)
    void fileBlobAndLineRoundTripsShouldKeepKeyAndComment(@ForAll("keys") SshKeyPair key,
            @ForAll @StringLength(max = 40) String comment) {
        SshKeyPair back = OpenSshKeyFile.parse(OpenSshKeyFile.encode(key, null), () -> null);
        assertThat(back.publicKey()).isEqualTo(key.publicKey());
        assertThat(back.comment()).isEqualTo(key.comment());
        assertThat(PublicKeys.fromBlob(key.publicKey().blob())).isEqualTo(key.publicKey());
        assertThat(PublicKeys.parseLine(key.publicKey().toOpenSshLine(comment))).isEqualTo(key.publicKey());
    }

    @Property(tries = 300)
    void randomBlobsShouldOnlyFailWithKeyFormatException(@ForAll("keys") SshKeyPair key,
            @ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll byte value) {
        byte[] blob = key.publicKey().blob();
        blob[where % blob.length] = value;
        try {
            PublicKeys.fromBlob(blob);
        } catch (KeyFormatException expected) {
            // The only exception allowed.
        }
    }

    @Provide
    Arbitrary<SshKeyPair> keys() {
        return Arbitraries.of(KEYS);
    }

    /** ssh-keygen -Y verify checks an SSHSIG made from our raw signature, so OpenSSH's own verifier is the judge. */
    private void assertSshKeygenVerifies(SshKeyPair key, Path file) throws Exception {
        Path message = Files.writeString(dir.resolve("message"), "signed by sluice\n");
        Path sigFile = dir.resolve("message.sig");
        Files.writeString(sigFile, SshSig.armour(key, "file", Files.readAllBytes(message)));
        Path allowed = Files.writeString(dir.resolve("allowed"),
                "signer " + key.publicKey().toOpenSshLine(null) + "\n");
        SshKeygen.Run run = SshKeygen.runWithInput(message, "-Y", "verify", "-f", allowed.toString(), "-I", "signer",
                "-n", "file", "-s", sigFile.toString());
        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        assertThat(run.out()).contains("Good \"file\" signature for signer");
    }
}
