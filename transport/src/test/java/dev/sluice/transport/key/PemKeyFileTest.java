package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PEM private keys written by the real {@code ssh-keygen -m PEM} and {@code -m PKCS8}, plain and encrypted: they read
 * as the same key as the .pub file says, and sign what ssh-keygen's public key verifies.
 */
class PemKeyFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "rsa,2048,PEM,,BEGIN RSA PRIVATE KEY", "rsa,3072,PKCS8,,BEGIN PRIVATE KEY",
        "ecdsa,256,PEM,,BEGIN EC PRIVATE KEY", "ecdsa,384,PKCS8,,BEGIN PRIVATE KEY",
        "ecdsa,521,PEM,,BEGIN EC PRIVATE KEY",
        "rsa,2048,PEM,pem secret,Proc-Type: 4,ENCRYPTED", "ecdsa,256,PEM,pem secret,Proc-Type: 4,ENCRYPTED",
        "rsa,2048,PKCS8,pkcs8 secret,BEGIN ENCRYPTED PRIVATE KEY",
        "ecdsa,521,PKCS8,pkcs8 secret,BEGIN ENCRYPTED PRIVATE KEY",
    })
    void sshKeygenPemFilesShouldReadAsTheirPublicKey(String type, int bits, String format, String passphrase,
            String marker) throws Exception {
        Path file = dir.resolve("id_" + type + "_" + format);
        SshKeygen.runOk("-q", "-t", type, "-b", Integer.toString(bits), "-m", format, "-N",
                passphrase == null ? "" : passphrase, "-f", file.toString());
        assertThat(Files.readString(file)).contains(marker);
        SshPublicKey expected = PublicKeys.parseLine(Files.readString(Path.of(file + ".pub")));

        SshKeyPair key = OpenSshKeyFile.read(file, () -> passphrase == null ? null : passphrase.toCharArray());

        assertThat(key.publicKey()).isEqualTo(expected);
        assertThat(OpenSshKeyFile.isEncrypted(file)).isEqualTo(passphrase != null);
        byte[] data = "signed by a PEM key".getBytes(StandardCharsets.US_ASCII);
        for (String algorithm : expected.signatureAlgorithms()) {
            assertThat(expected.verify(algorithm, data, key.sign(algorithm, data))).isTrue();
        }
        if (passphrase != null) {
            assertThatThrownBy(() -> OpenSshKeyFile.read(file, () -> "wrong".toCharArray()))
                    .isInstanceOf(IncorrectPassphraseException.class);
            assertThatThrownBy(() -> OpenSshKeyFile.read(file, () -> null))
                    .isInstanceOf(IncorrectPassphraseException.class);
        }
    }

    @Test
    void aCorruptPemFileShouldBeAFormatError() throws Exception {
        Path file = dir.resolve("id_rsa");
        SshKeygen.runOk("-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", file.toString());
        String text = Files.readString(file);
        String corrupt = text.replace(text.substring(100, 140), "A".repeat(40));

        assertThatThrownBy(() -> OpenSshKeyFile.parse(corrupt, () -> null)).isInstanceOf(KeyFormatException.class);
    }
}
