package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KexAlgorithms and HostKeyAlgorithms for ssh and server, keygen's key types, and ssh's known-key preference. */
class AlgorithmOptionsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void kexAlgorithmsShouldFollowOpenSshsListSyntax() {
        assertThat(SshCommand.kexAlgorithms(null)).isEqualTo(KexMethods.defaultNames());
        assertThat(SshCommand.kexAlgorithms("+diffie-hellman-group1-sha1"))
                .startsWith(KexMethods.defaultNames().toArray(String[]::new)).endsWith("diffie-hellman-group1-sha1");
        assertThat(SshCommand.kexAlgorithms("-ecdh-sha2-*,sntrup761*")).doesNotContain("ecdh-sha2-nistp256",
                "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "sntrup761x25519-sha512").contains("curve25519-sha256");
        assertThat(SshCommand.kexAlgorithms("^diffie-hellman-group14-sha256").get(0))
                .isEqualTo("diffie-hellman-group14-sha256");
        assertThat(SshCommand.kexAlgorithms("curve25519-sha256")).containsExactly("curve25519-sha256");
        assertThatThrownBy(() -> SshCommand.kexAlgorithms("curve448-sha512"))
                .hasMessage("Bad SSH2 KexAlgorithms 'curve448-sha512'.");
    }

    @Test
    void hostKeyAlgorithmsShouldLeaveSha1RsaOutUnlessAdded() {
        assertThat(SshCommand.hostKeyAlgorithms("+ssh-rsa")).endsWith("ssh-rsa")
                .containsAll(PublicKeys.defaultSignatureAlgorithms());
        assertThat(SshCommand.hostKeyAlgorithms("-rsa-sha2-*")).doesNotContain("rsa-sha2-256", "rsa-sha2-512");
        assertThatThrownBy(() -> SshCommand.hostKeyAlgorithms("ssh-dss")).hasMessage("Bad key types 'ssh-dss'.");
    }

    @Test
    void sshAndServerShouldRefuseBadListsBeforeConnecting() {
        assertThat(run("ssh", "-N", "-o", "KexAlgorithms=nope", "127.0.0.1")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Bad SSH2 KexAlgorithms 'nope'.");
        assertThat(run("ssh", "-N", "-o", "HostKeyAlgorithms=nope", "127.0.0.1")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Bad key types 'nope'.");
        assertThat(run("server", "-o", "KexAlgorithms=-nope,ecdh*,+x")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Bad SSH2 KexAlgorithms '-nope,ecdh*,+x'.");
        assertThat(run("server", "-o", "HostKeyAlgorithms=ssh-dss")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Bad key types 'ssh-dss'.");
    }

    @Test
    void sshShouldPreferTheKeyTypesKnownHostsHoldsForTheHost(@TempDir Path dir) throws Exception {
        SshKeyPair ecdsa = SshKeyPair.generateEcdsa(384, "");
        SshKeyPair rsa = SshKeyPair.generateRsa(2048, "");
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "other.example " + rsa.publicKey().toOpenSshLine(null) + "\n"
                        + "[host.example]:2222 " + ecdsa.publicKey().toOpenSshLine(null) + "\n");

        assertThat(HostKeyOrder.preferKnown(PublicKeys.defaultSignatureAlgorithms(), List.of(knownHosts),
                "host.example", 2222)).containsExactly("ecdsa-sha2-nistp384", "ssh-ed25519", "ecdsa-sha2-nistp256",
                        "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256");
        assertThat(HostKeyOrder.preferKnown(PublicKeys.defaultSignatureAlgorithms(), List.of(knownHosts),
                "other.example", 22)).startsWith("rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519");
        assertThat(HostKeyOrder.preferKnown(PublicKeys.defaultSignatureAlgorithms(),
                List.of(dir.resolve("missing")), "host.example", 22))
                .isEqualTo(PublicKeys.defaultSignatureAlgorithms());
    }

    @ParameterizedTest
    @CsvSource({"ecdsa,,256,ECDSA", "ecdsa,384,384,ECDSA", "ecdsa,521,521,ECDSA", "rsa,2048,2048,RSA",
        "ed25519,,256,ED25519"})
    void keygenShouldWriteEachKeyTypeThatSshKeygenReads(String type, String bits, int expectedBits, String name,
            @TempDir Path dir) throws Exception {
        Path key = dir.resolve("id_" + type);
        List<String> args = new ArrayList<>(List.of("keygen", "-q", "-t", type, "-f", key.toString(),
                "-C", "me@test"));
        if (bits != null) {
            args.addAll(List.of("-b", bits));
        }
        assertThat(run(args.toArray(String[]::new))).as(err()).isZero();

        String printed = sshKeygen("-y", "-f", key.toString());
        assertThat(Files.readString(dir.resolve("id_" + type + ".pub")).strip()).isEqualTo(printed)
                .endsWith(" me@test");
        String listed = sshKeygen("-l", "-f", key.toString());
        out.reset();
        assertThat(run("keygen", "-l", "-f", key.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(listed)
                .startsWith(expectedBits + " SHA256:").endsWith("(" + name + ")");
    }

    @Test
    void keygenShouldRefuseSizesSshKeygenRefuses(@TempDir Path dir) {
        assertThat(run("keygen", "-q", "-t", "ecdsa", "-b", "300", "-f", dir.resolve("k").toString())).isEqualTo(1);
        assertThat(err()).contains("Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits");
        assertThat(run("keygen", "-q", "-t", "rsa", "-b", "512", "-f", dir.resolve("k").toString())).isEqualTo(1);
        assertThat(err()).contains("Invalid RSA key length: minimum is 1024");
    }

    @Test
    void serverShouldGenerateMissingHostKeysOfTheTypeTheFileNames() {
        assertThat(ServerCommand.generateHostKey("ssh_host_ecdsa_key").publicKey().keyType())
                .isEqualTo("ecdsa-sha2-nistp256");
        assertThat(ServerCommand.generateHostKey("ssh_host_rsa_key").publicKey().bits()).isEqualTo(3072);
        assertThat(ServerCommand.generateHostKey("ssh_host_ed25519_key").publicKey().keyType())
                .isEqualTo("ssh-ed25519");
    }

    private static String sshKeygen(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh-keygen"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(printed).isZero();
        return printed;
    }
}
