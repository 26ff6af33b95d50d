package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.SshKeyPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
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
        try (SocketChannel reserved = boundNotListening()) {
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            int status = run("ssh", "-N", "-p", String.valueOf(port), "-o", "BatchMode=yes", "127.0.0.1");
            assertThat(status).isEqualTo(255);
            assertThat(err()).contains("ssh: connect to host 127.0.0.1 port " + port + ": Connection refused");
        }
    }

    /**
     * A loopback port that refuses connections and stays so: bound but not listening. A port merely found free and
     * closed again can be taken meanwhile, or be picked as the connect's own source port, and a connect from a
     * port to itself on loopback succeeds (TCP simultaneous open).
     */
    private static SocketChannel boundNotListening() throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return channel;
    }

    @Test
    void sshRejectsUnknownOptionsAndKeywordsWith255() {
        assertThat(run("ssh", "-Z", "host")).isEqualTo(255);
        assertThat(err()).contains("unknown option -- Z");
        assertThat(run("ssh", "-N", "-o", "NoSuchKeyword=1", "host")).isEqualTo(255);
        assertThat(err()).contains("command-line: line 0: Bad configuration option: nosuchkeyword");
        assertThat(run("ssh", "-N", "-L", "nonsense", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad local forwarding specification 'nonsense'");
    }

    @Test
    void sshTakesMacsAndCompressionLikeOpenSsh() throws Exception {
        try (SocketChannel reserved = boundNotListening()) {
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            // Parsed and accepted: the run gets as far as connecting.
            assertThat(run("ssh", "-N", "-C", "-m", "hmac-sha1,hmac-sha2-256", "-o",
                    "MACs=+hmac-sha1-etm@openssh.com", "-p", String.valueOf(port), "-o", "BatchMode=yes",
                    "127.0.0.1")).isEqualTo(255);
            assertThat(err()).contains("Connection refused");
        }
        assertThat(run("ssh", "-N", "-o", "MACs=umac-64@openssh.com", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad SSH2 MAC spec 'umac-64@openssh.com'.");
        assertThat(run("ssh", "-N", "-o", "RekeyLimit=lots 1h", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad number 'lots'");
    }

    @Test
    void sshTriesARefusedConnectionConnectionAttemptsTimesASecondApart() throws Exception {
        try (SocketChannel reserved = boundNotListening()) {
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            long start = System.nanoTime();
            assertThat(run("ssh", "-N", "-o", "ConnectionAttempts=3", "-p", String.valueOf(port), "-o",
                    "BatchMode=yes", "127.0.0.1")).isEqualTo(255);
            long elapsed = System.nanoTime() - start;
            // A log line, ended by CR LF as ssh's log.c ends it.
            assertThat(err()).isEqualTo("ssh: connect to host 127.0.0.1 port " + port + ": Connection refused\r\n");
            assertThat(elapsed).as("two pauses of a second").isGreaterThanOrEqualTo(2_000_000_000L);
        }
    }

    @Test
    void serverRejectsAnUnknownCompressionValue() {
        assertThat(run("server", "-o", "Compression=maybe")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: unsupported option \"maybe\".");
    }

    @Test
    void sshRejectsBadDynamicForwardsLikeOpenSsh() {
        assertThat(run("ssh", "-N", "-D", "0", "host")).isEqualTo(255);
        assertThat(err()).contains("Bad dynamic forwarding specification '0'");
        assertThat(run("ssh", "-N", "-o", "DynamicForward=a:b:1080", "host")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Bad forwarding specification.");
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
        assertThat(err()).contains("command-line: line 0: Bad configuration option: NoSuchKeyword");
    }

    @Test
    void serverRejectsBadAuthenticationKeywordsLikeSshd(@TempDir Path dir) {
        Path hostKey = dir.resolve("host_key");
        assertThat(run("server", "-o", "AuthenticationMethods=publickey,magic")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: invalid authentication method list.");
        assertThat(run("server", "-o", "MaxStartups=10:30")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: Invalid MaxStartups spec.");
        assertThat(run("server", "-p", "0", "-h", hostKey.toString(), "-o", "AuthenticationMethods=publickey,password"))
                .isEqualTo(255);
        assertThat(err()).contains("Disabled method \"password\" in AuthenticationMethods list \"publickey,password\"");
        assertThat(run("server", "-o", "PasswordAuthentication=maybe")).isEqualTo(255);
        assertThat(err()).contains("command-line line 0: unsupported option \"maybe\".");
    }

    @Test
    void serverRefusesAHostCertificateThatIsNotForItsHostKeys(@TempDir Path dir) throws Exception {
        SshKeyPair hostKey = SshKeyPair.generateEd25519("host");
        OpenSshKeyFile.write(dir.resolve("host_key"), hostKey, null);
        SshKeyPair ca = SshKeyPair.generateEd25519("ca");
        Path otherKeysCert = Files.writeString(dir.resolve("other-cert.pub"), OpenSshCertificate.builder(
                SshKeyPair.generateEd25519("other").publicKey(), OpenSshCertificate.Type.HOST).sign(ca, "ssh-ed25519")
                .toOpenSshLine(null));
        Path userCert = Files.writeString(dir.resolve("user-cert.pub"), OpenSshCertificate.builder(
                hostKey.publicKey(), OpenSshCertificate.Type.USER).sign(ca, "ssh-ed25519").toOpenSshLine(null));
        String host = dir.resolve("host_key").toString();

        assertThat(run("server", "-p", "0", "-h", host, "-o", "HostCertificate=" + otherKeysCert)).isEqualTo(255);
        assertThat(err()).contains("(" + otherKeysCert + ") does not match any host key");
        assertThat(run("server", "-p", "0", "-h", host, "-o", "HostCertificate=" + userCert)).isEqualTo(255);
        assertThat(err()).contains("Could not load host certificate \"" + userCert + "\": not a host certificate");
    }
}
