package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a person meets them: exit codes and the messages OpenSSH's tools print. */
class CommandsTest {
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
    void keygenWritesAKeyThatTheRealSshKeygenReads(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("id_ed25519");
        assertThat(run("keygen", "-q", "-t", "ed25519", "-f", key.toString(), "-N", "secret", "-C", "me@test"))
                .isZero();
        Process p = new ProcessBuilder("ssh-keygen", "-y", "-P", "secret", "-f", key.toString())
                .redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(printed).isZero();
        String pub = Files.readString(dir.resolve("id_ed25519.pub")).strip();
        assertThat(pub).startsWith(printed).endsWith(" me@test");

        assertThat(run("keygen", "-q", "-t", "ed25519", "-f", key.toString())).isEqualTo(1);
        assertThat(err()).contains(key + " already exists.");
    }

    @Test
    void sshReportsARefusedConnectionLikeOpenSsh() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int status = run("ssh", "-N", "-p", String.valueOf(port), "-o", "BatchMode=yes", "127.0.0.1");
        assertThat(status).isEqualTo(255);
        assertThat(err()).contains("ssh: connect to host 127.0.0.1 port " + port + ": Connection refused");
    }

    @Test
    void sshRejectsUnknownOptionsAndKeywordsWith255() {
        assertThat(run("ssh", "-Z", "host")).isEqualTo(255);
        assertThat(err()).contains("unknown option -- Z");
        assertThat(run("ssh", "-N", "-o", "NoSuchKeyword=1", "host")).isEqualTo(255);
        assertThat(err()).contains("command-line: line 0: Bad configuration option: NoSuchKeyword");
        assertThat(run("ssh", "-N", "-L", "nonsense", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad local forwarding specification 'nonsense'");
    }

    @Test
    void sshRejectsBadDynamicForwardsLikeOpenSsh() {
        assertThat(run("ssh", "-N", "-D", "0", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad dynamic forwarding specification '0'");
        assertThat(run("ssh", "-N", "-o", "DynamicForward=a:b:1080", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad dynamic forwarding specification 'a:b:1080'");
    }

    @Test
    void sshRejectsBadJumpHostsLikeOpenSsh() {
        assertThat(run("ssh", "-N", "-J", "gw:x", "host")).isEqualTo(255);
        assertThat(err()).contains("Invalid -J argument");
        assertThat(run("ssh", "-N", "-J", "a", "-J", "b", "host")).isEqualTo(255);
        assertThat(err()).contains("Only a single -J option is permitted (use commas to separate multiple jump hops)");
    }

    @Test
    void serverRejectsUnknownKeywordsLikeSshd() {
        assertThat(run("server", "-o", "NoSuchKeyword=yes")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Bad configuration option: NoSuchKeyword");
    }
}
