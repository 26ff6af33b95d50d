package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenSshKeyFileTest {
    private static final SshKeyPair KEY = SshKeyPair.generateEd25519("prop@test");

    @TempDir
    Path tmp;

    @Test
    void bcryptPbkdfShouldMatchOpenBsdVectors() {
        // OpenBSD's bcrypt_pbkdf regression vectors (also golang.org/x/crypto and pyca/bcrypt).
        assertThat(OpenSshKeyFile.bcryptPbkdf("password".toCharArray(), "salt".getBytes(StandardCharsets.US_ASCII),
                4, 32)).isEqualTo(Hex.decode("5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"));
        assertThat(OpenSshKeyFile.bcryptPbkdf("password".toCharArray(), new byte[] {0}, 4, 16))
                .isEqualTo(Hex.decode("c12b566235eee04c212598970a579a67"));
    }

    @Test
    void shouldReadUnencryptedSshKeygenFileWithoutAskingForAPassphrase() throws Exception {
        SshKeyPair key = OpenSshKeyFile.read(SshKeygen.resource("id_ed25519"), () -> {
            throw new AssertionError("passphrase asked for an unencrypted key");
        });
        assertMatchesPub(key, "id_ed25519.pub", "test");
        assertThat(OpenSshKeyFile.isEncrypted(SshKeygen.resource("id_ed25519"))).isFalse();
    }

    @Test
    void shouldReadAes256CtrFileAndZeroTheSuppliedPassphrase() throws Exception {
        char[] pass = "secret".toCharArray();
        SshKeyPair key = OpenSshKeyFile.read(SshKeygen.resource("id_ed25519_secret"), () -> pass);
        assertMatchesPub(key, "id_ed25519_secret.pub", "test");
        assertThat(pass).containsOnly('\0');
        assertThat(OpenSshKeyFile.isEncrypted(SshKeygen.resource("id_ed25519_secret"))).isTrue();
        assertThat(OpenSshKeyFile.readPublicKey(SshKeygen.resource("id_ed25519_secret")))
                .isEqualTo(key.publicKey());
    }

    @Test
    void shouldReadAes256GcmFile() throws Exception {
        SshKeyPair key = OpenSshKeyFile.read(SshKeygen.resource("id_ed25519_gcm"), "secret"::toCharArray);
        assertMatchesPub(key, "id_ed25519_gcm.pub", "gcm key");
    }

    @Test
    void wrongOrMissingPassphraseShouldSayWhatOpenSshSays() {
        for (String file : new String[] {"id_ed25519_secret", "id_ed25519_gcm"}) {
            Path p = SshKeygen.resource(file);
            for (Supplier<char[]> pass : Arrays.<Supplier<char[]>>asList("wrong"::toCharArray, () -> null, null)) {
                assertThatThrownBy(() -> OpenSshKeyFile.read(p, pass))
                        .isInstanceOf(IncorrectPassphraseException.class)
                        .hasMessage("incorrect passphrase supplied to decrypt private key");
            }
        }
    }

    @Test
    void writtenUnencryptedKeyShouldBeReadBySshKeygenAndBeMode0600() throws Exception {
        SshKeyPair key = SshKeyPair.generateEd25519("written@sluice");
        Path file = tmp.resolve("id_ed25519");
        OpenSshKeyFile.write(file, key, null);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(OpenSshKeyFile.permissionsTooOpen(file)).isFalse();
        String expectedLine = key.publicKey().toOpenSshLine("written@sluice");
        assertThat(Files.readString(tmp.resolve("id_ed25519.pub"))).isEqualTo(expectedLine + "\n");
        assertThat(SshKeygen.runOk("-y", "-P", "", "-f", file.toString())).isEqualTo(expectedLine + "\n");
        assertThat(SshKeygen.runOk("-l", "-f", file.toString()))
                .isEqualTo("256 " + key.publicKey().fingerprint() + " written@sluice (ED25519)\n");
        assertThat(OpenSshKeyFile.read(file, null).publicKey()).isEqualTo(key.publicKey());
        assertArmourLikeSshKeygen(Files.readString(file));
    }

    @Test
    void writtenEncryptedKeyShouldBeReadBySshKeygenOnlyWithThePassphrase() throws Exception {
        SshKeyPair key = SshKeyPair.generateEd25519("enc");
        Path file = tmp.resolve("id_enc");
        OpenSshKeyFile.write(file, key, "s3cret pass".toCharArray());

        assertThat(OpenSshKeyFile.isEncrypted(file)).isTrue();
        assertThat(SshKeygen.runOk("-y", "-P", "s3cret pass", "-f", file.toString()))
                .isEqualTo(key.publicKey().toOpenSshLine("enc") + "\n");
        SshKeygen.Run wrong = SshKeygen.run("-y", "-P", "nope", "-f", file.toString());
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.err()).contains("incorrect passphrase");
        // The KDF parameters are ssh-keygen's defaults: bcrypt, 16-byte salt, 16 rounds, aes256-ctr.
        String header = Files.readString(file).split("\n")[1];
        byte[] start = Base64.getDecoder().decode(header.substring(0, 68));
        assertThat(new String(start, StandardCharsets.ISO_8859_1))
                .contains("aes256-ctr").contains("bcrypt");
        SshKeyPair back = OpenSshKeyFile.read(file, "s3cret pass"::toCharArray);
        byte[] data = {4, 5, 6};
        assertThat(key.publicKey().verify(data, back.sign(data))).isTrue();
    }

    @Test
    void gcmFilesWeWriteShouldBeReadBySshKeygen() throws Exception {
        SshKeyPair key = SshKeyPair.generateEd25519("gcm");
        Path file = tmp.resolve("id_gcm");
        Files.writeString(file, OpenSshKeyFile.encode(key, "pw".toCharArray(), KeyFileCipher.AES256_GCM,
                OpenSshKeyFile.DEFAULT_ROUNDS, new SecureRandom()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(SshKeygen.runOk("-y", "-P", "pw", "-f", file.toString()))
                .isEqualTo(key.publicKey().toOpenSshLine("gcm") + "\n");
    }

    @Test
    void writeShouldReplaceAnExistingWorldReadableFileWithA0600One() throws Exception {
        Path file = tmp.resolve("old");
        Files.writeString(file, "old content");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(OpenSshKeyFile.permissionsTooOpen(file)).isTrue();
        OpenSshKeyFile.write(file, KEY, null);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("old", "old.pub");
        }
    }

    @Test
    void badPaddingAndCheckBytesShouldBeRejected() throws Exception {
        byte[] binary = binaryOf(Files.readString(SshKeygen.resource("id_ed25519")));

        byte[] badPad = binary.clone();
        badPad[badPad.length - 1] ^= 0x40; // the last byte of an unencrypted file is padding
        assertThatThrownBy(() -> OpenSshKeyFile.parse(armour(badPad), null))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("padding");

        // The private section is the last string: its first 8 bytes are the two check integers.
        int section = binary.length - sectionLength(binary);
        byte[] badCheck = binary.clone();
        badCheck[section + 1] ^= 1;
        assertThatThrownBy(() -> OpenSshKeyFile.parse(armour(badCheck), null))
                .isInstanceOf(KeyFormatException.class)
                .isNotInstanceOf(IncorrectPassphraseException.class)
                .hasMessageContaining("check bytes");
    }

    @Test
    void absurdKdfRoundsShouldBeRefusedRatherThanHang() throws Exception {
        byte[] binary = binaryOf(OpenSshKeyFile.encode(KEY, "pw".toCharArray(), KeyFileCipher.AES256_CTR, 1,
                new SecureRandom()));
        // magic 15, "aes256-ctr" 14, "bcrypt" 10, options length 4, salt 20: the rounds uint32 is at 63.
        assertThat(java.nio.ByteBuffer.wrap(binary, 63, 4).getInt()).isEqualTo(1);
        java.nio.ByteBuffer.wrap(binary, 63, 4).putInt(OpenSshKeyFile.MAX_ROUNDS + 1);
        assertThatThrownBy(() -> OpenSshKeyFile.parse(armour(binary), "pw"::toCharArray))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("rounds 10001");
    }

    @Test
    void otherFormatsShouldBeNamedInTheError() {
        assertThatThrownBy(() -> OpenSshKeyFile.parse("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", null))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("RSA PRIVATE KEY");
        assertThatThrownBy(() -> OpenSshKeyFile.parse("hello", null)).isInstanceOf(KeyFormatException.class);
    }

    @Property(tries = 200)
    void encodeParseRoundTripShouldKeepKeyAndComment(@ForAll @StringLength(max = 40) String comment) {
        SshKeyPair key = SshKeyPair.generateEd25519(comment);
        SshKeyPair back = OpenSshKeyFile.parse(OpenSshKeyFile.encode(key, null), null);
        assertThat(back.publicKey()).isEqualTo(key.publicKey());
        assertThat(back.comment()).isEqualTo(comment);
        byte[] data = comment.getBytes(StandardCharsets.UTF_8);
        assertThat(key.publicKey().verify(data, back.sign(data))).isTrue();
    }

    @Property(tries = 300)
    void corruptedFilesShouldOnlyFailWithKeyFormatException(@ForAll @IntRange(min = 0, max = 100_000) int where,
            @ForAll @IntRange(min = 1, max = 255) int flip, @ForAll boolean encrypted) {
        char[] pass = encrypted ? "pw".toCharArray() : null;
        // One KDF round keeps the property fast; the round count does not change the parsing under test.
        String text = OpenSshKeyFile.encode(KEY, pass,
                encrypted ? KeyFileCipher.AES256_CTR : KeyFileCipher.NONE, 1, new SecureRandom());
        byte[] binary = binaryOf(text);
        binary[where % binary.length] ^= (byte) flip;
        try {
            // A damaged rounds field may ask for millions of rounds; a low limit keeps each try fast.
            SshKeyPair back = OpenSshKeyFile.parse(armour(binary), "pw"::toCharArray, 4);
            // Only bytes no check covers may change without an error: none exist for the key itself.
            assertThat(back.publicKey()).isEqualTo(KEY.publicKey());
        } catch (KeyFormatException expected) {
            // including IncorrectPassphraseException for a damaged encrypted section
        }
    }

    private static void assertMatchesPub(SshKeyPair key, String pubResource, String comment) throws Exception {
        String pub = Files.readString(SshKeygen.resource(pubResource)).strip();
        assertThat(key.publicKey()).isEqualTo(PublicKeys.parseLine(pub));
        assertThat(key.comment()).isEqualTo(comment);
        assertThat(key.publicKey().toOpenSshLine(key.comment())).isEqualTo(pub);
        byte[] data = "sign me".getBytes(StandardCharsets.UTF_8);
        assertThat(key.publicKey().verify(data, key.sign(data))).isTrue();
    }

    private static void assertArmourLikeSshKeygen(String text) {
        String[] lines = text.split("\n", -1);
        assertThat(lines[0]).isEqualTo("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(lines[lines.length - 2]).isEqualTo("-----END OPENSSH PRIVATE KEY-----");
        assertThat(lines[lines.length - 1]).isEmpty();
        for (int i = 1; i < lines.length - 3; i++) {
            assertThat(lines[i]).hasSize(70);
        }
        assertThat(lines[lines.length - 3].length()).isBetween(1, 70);
    }

    private static byte[] binaryOf(String armoured) {
        String body = armoured.replace("-----BEGIN OPENSSH PRIVATE KEY-----", "")
                .replace("-----END OPENSSH PRIVATE KEY-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static String armour(byte[] binary) {
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Base64.getMimeEncoder(70, new byte[] {'\n'})
                .encodeToString(binary) + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    /** The length of the last string (the private section) of an unencrypted file, found by walking the fields. */
    private static int sectionLength(byte[] binary) {
        var r = dev.sluice.transport.wire.SshReader.of(Arrays.copyOfRange(binary, 15, binary.length));
        r.readBytes();
        r.readBytes();
        r.readBytes();
        r.readUint32();
        r.readBytes();
        return r.readBytes().length;
    }

}
