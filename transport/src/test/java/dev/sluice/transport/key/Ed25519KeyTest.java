package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

class Ed25519KeyTest {
    /** RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72). */
    private static final String[][] RFC8032 = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    };

    private static final SshKeyPair KEY = SshKeyPair.generateEd25519("prop");

    @Test
    void rfc8032VectorsShouldSignAndVerifyThroughTheSshSignatureBlob() {
        for (String[] v : RFC8032) {
            SshKeyPair key = Ed25519KeyPair.fromSeed(Hex.decode(v[0]), "");
            byte[] message = Hex.decode(v[2]);
            byte[] expectedBlob = SshWriter.heap().writeAscii("ssh-ed25519").writeBytes(Hex.decode(v[3])).toByteArray();
            byte[] expectedKeyBlob = SshWriter.heap().writeAscii("ssh-ed25519").writeBytes(Hex.decode(v[1])).toByteArray();

            assertThat(key.publicKey().blob()).isEqualTo(expectedKeyBlob);
            assertThat(key.sign(message)).isEqualTo(expectedBlob);
            SshPublicKey pub = PublicKeys.fromBlob(expectedKeyBlob);
            assertThat(pub.verify(message, expectedBlob)).isTrue();
            assertThat(pub.verify("ssh-ed25519", message, expectedBlob)).isTrue();
        }
    }

    @Test
    void verifyShouldRejectWrongAlgorithmNamesLengthsAndTrailingBytes() {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] good = KEY.sign(data);
        SshReader r = SshReader.of(good);
        r.readAscii();
        byte[] sig = r.readBytes();
        SshPublicKey pub = KEY.publicKey();

        assertThat(pub.verify(data, good)).isTrue();
        assertThat(pub.verify(data, SshWriter.heap().writeAscii("ssh-rsa").writeBytes(sig).toByteArray())).isFalse();
        assertThat(pub.verify(data, SshWriter.heap().writeAscii("ssh-ed25519")
                .writeBytes(Arrays.copyOf(sig, 63)).toByteArray())).isFalse();
        assertThat(pub.verify(data, SshWriter.heap().writeAscii("ssh-ed25519")
                .writeBytes(Arrays.copyOf(sig, 65)).toByteArray())).isFalse();
        assertThat(pub.verify(data, SshWriter.heap().writeRaw(good).writeByte(0).toByteArray())).isFalse();
        assertThat(pub.verify(data, new byte[0])).isFalse();
        assertThat(pub.verify(data, sig)).as("raw signature without the blob wrapper").isFalse();
        assertThat(pub.verify("rsa-sha2-256", data, good)).isFalse();
        assertThat(KEY.publicKey().signatureAlgorithms()).containsExactly("ssh-ed25519");
        assertThatThrownBy(() -> KEY.sign("rsa-sha2-256", data)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fingerprintAndLineShouldBeWhatSshKeygenPrints() throws Exception {
        String pubLine = Files.readString(SshKeygen.resource("id_ed25519.pub")).strip();
        SshPublicKey key = PublicKeys.parseLine(pubLine);

        assertThat(key.fingerprint()).isEqualTo("SHA256:IUdCjSJluMFe3UiIOQulkVQ9fTRBgmOvfBLMpTY56wM");
        String live = SshKeygen.runOk("-l", "-f", SshKeygen.resource("id_ed25519.pub").toString());
        assertThat(live).isEqualTo("256 " + key.fingerprint() + " test (ED25519)\n");
        assertThat(key.toOpenSshLine("test")).isEqualTo(pubLine);
        assertThat(key.toOpenSshLine(null)).isEqualTo(pubLine.substring(0, pubLine.lastIndexOf(' ')));
        assertThat(key.keyType()).isEqualTo("ssh-ed25519");
        assertThat(PublicKeys.displayName(key.keyType())).isEqualTo("ED25519");
        assertThat(PublicKeys.displayName("ssh-rsa")).isEqualTo("RSA");
        assertThat(PublicKeys.displayName("ecdsa-sha2-nistp256-cert-v01@openssh.com")).isEqualTo("ECDSA-CERT");
    }

    @Test
    void keysShouldBeEqualExactlyWhenTheirBlobsAre() {
        SshPublicKey a = PublicKeys.fromBlob(KEY.publicKey().blob());
        assertThat(a).isEqualTo(KEY.publicKey()).hasSameHashCodeAs(KEY.publicKey());
        assertThat(a).isNotEqualTo(SshKeyPair.generateEd25519("").publicKey());
        assertThat(PublicKeys.parseLine(a.toOpenSshLine("x y z"))).isEqualTo(a);
    }

    @Test
    void parseLineShouldRejectTypeMismatchBadBase64AndUnknownTypes() {
        String b64 = KEY.publicKey().toOpenSshLine(null).split(" ")[1];
        assertThatThrownBy(() -> PublicKeys.parseLine("ssh-rsa " + b64)).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> PublicKeys.parseLine("ssh-ed25519 !!!")).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> PublicKeys.parseLine("ssh-ed25519")).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> PublicKeys.fromBlob(SshWriter.heap().writeAscii("ssh-dss").toByteArray()))
                .isInstanceOf(KeyFormatException.class)
                .hasMessageContaining("unsupported key type \"ssh-dss\"")
                .satisfies(e -> assertThat(((KeyFormatException) e).reason())
                        .isEqualTo(DisconnectReason.PROTOCOL_ERROR));
    }

    @Test
    void destroyedKeysShouldRefuseToSign() {
        SshKeyPair key = SshKeyPair.generateEd25519("gone");
        key.destroy();
        assertThat(key.isDestroyed()).isTrue();
        assertThatThrownBy(() -> key.sign(new byte[1])).isInstanceOf(IllegalStateException.class);
    }

    @Property(tries = 300)
    void signaturesShouldVerifyAndTamperedOnesNever(@ForAll @Size(max = 300) byte[] data,
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] sig = KEY.sign(data);
        assertThat(KEY.publicKey().verify(data, sig)).isTrue();

        byte[] badSig = sig.clone();
        badSig[where % badSig.length] ^= (byte) (1 << bit);
        assertThat(KEY.publicKey().verify(data, badSig)).isFalse();

        byte[] badData = Arrays.copyOf(data, data.length + (data.length == 0 ? 1 : 0));
        badData[where % badData.length] ^= (byte) (1 << bit);
        assertThat(KEY.publicKey().verify(badData, sig)).isFalse();
    }

    @Property(tries = 500)
    void randomSignatureBlobsShouldNeverVerifyNorThrow(@ForAll("signatureLike") byte[] blob) {
        assertThat(KEY.publicKey().verify(new byte[] {1, 2, 3}, blob)).isFalse();
        assertThat(KEY.publicKey().verify("ssh-ed25519", new byte[] {1, 2, 3}, blob)).isFalse();
    }

    @Property(tries = 1000)
    void randomBlobsShouldOnlyEverFailWithKeyFormatException(@ForAll("blobLike") byte[] blob) {
        try {
            SshPublicKey key = PublicKeys.fromBlob(blob);
            assertThat(key.blob()).isEqualTo(blob);
        } catch (KeyFormatException expected) {
            assertThat(expected.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        }
    }

    /** Random bytes, and random tails after a valid "ssh-ed25519" prefix so the parser gets past the type. */
    @Provide
    Arbitrary<byte[]> blobLike() {
        byte[] prefix = SshWriter.heap().writeAscii("ssh-ed25519").toByteArray();
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        return Arbitraries.oneOf(raw, raw.map(tail -> concat(prefix, tail)),
                raw.map(k -> concat(prefix, SshWriter.heap().writeBytes(k).toByteArray())));
    }

    @Provide
    Arbitrary<byte[]> signatureLike() {
        byte[] prefix = SshWriter.heap().writeAscii("ssh-ed25519").toByteArray();
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(90);
        return Arbitraries.oneOf(raw, raw.map(tail -> concat(prefix, tail)),
                Arbitraries.bytes().array(byte[].class).ofSize(64)
                        .map(s -> concat(prefix, SshWriter.heap().writeBytes(s).toByteArray())));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
