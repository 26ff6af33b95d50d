package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.OpenSshKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sluice server -t -f FILE} against {@code sshd -t -f FILE} for the same files: the same exit status and the
 * same error lines (file and line number, sshd's words, the count of bad options at the end).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerConfigTestInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Each case is the body of an sshd_config after its HostKey line; "|" separates lines. */
    @ParameterizedTest
    @ValueSource(strings = {
        "Port 2222|AllowTcpForwarding local|PermitOpen 127.0.0.1:80 [::1]:443|GatewayPorts clientspecified"
            + "|MaxAuthTries 3|LoginGraceTime 1m|Subsystem sftp /usr/lib/openssh/sftp-server|AcceptEnv LANG LC_*",
        "Foo bar|Port 22|Bar2=x",
        "Port|ListenAddress|MaxSessions 3",
        "Port abc",
        "AllowTcpForwarding maybe",
        "PermitOpen nohost",
        "MaxAuthTries x",
        "GatewayPorts maybe",
        "Subsystem sftp",
        "Subsystem sftp /a|Subsystem sftp /b",
        "LoginGraceTime x",
        "Ciphers nope",
        "PasswordAuthentication maybe",
        "Compression maybe",
        "MaxStartups 10:30",
        "MaxSessions many",
        "DisableForwarding maybe",
        "LogLevel loud",
        "UsePAM maybe",
        "ClientAliveInterval 1x",
        "ClientAliveCountMax many",
        "Match User alice,!bob Address 10.0.0.0/8,127.0.0.1|AllowTcpForwarding no|PermitOpen 127.0.0.1:80"
            + "|Match LocalPort 2222|GatewayPorts yes|PermitListen 8080|Match All|DisableForwarding yes",
        "Match User",
        "Match Foo x",
        "Match all User x",
        "Match User x|GatewayPorts maybe",
        "Match Group staff,!wheel Host *.example.com LocalAddress 127.0.0.1|PasswordAuthentication yes|Banner none"
            + "|MaxSessions 2|ForceCommand /bin/true|AcceptEnv LANG|AuthenticationMethods publickey,password"
            + "|KbdInteractiveAuthentication no|PermitEmptyPasswords no|MaxAuthTries 2|PubkeyAuthentication yes"
            + "|AuthorizedKeysFile .ssh/other_keys|TrustedUserCAKeys none|AllowStreamLocalForwarding no",
        "Match User x|Port 23",
        "Match User x|Subsystem sftp /usr/lib/openssh/sftp-server",
        "Foo 1|Match User x|Bar yes",
        "Match LocalPort x",
        "Match User x|MaxAuthTries many",
        "UseDNS maybe",
        "UseDNS no|Match User x|UseDNS no",
        "Match User x|PermitTTY maybe",
    })
    void serverDashTShouldAnswerAsSshdDashT(String body) throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "host_key");
        Path config = Files.writeString(dir.resolve("sshd_config"),
                "# checked by sshd -t and sluice server -t\nHostKey " + hostKey.privateKey() + "\n"
                        + body.replace("|", "\n") + "\n");
        Files.createDirectories(Path.of("/run/sshd"));
        SshRun sshd = SshRun.run(dir, List.of("/usr/sbin/sshd", "-t", "-f", config.toString()), null, TIMEOUT);
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("-t", "-f", config.toString()));
        SshRun sluice = SshRun.run(dir, command, null, TIMEOUT);

        assertThat(sluice.status()).as(sluice.stderr()).isEqualTo(sshd.status());
        assertThat(sluice.stderr().lines().toList()).as("sshd said:\n" + sshd.stderr())
                .isEqualTo(sshd.stderr().lines().toList());
        assertThat(sluice.output()).isEmpty();
    }
}
