package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.OpenSshKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sluice server -T [-C spec] -f FILE} against {@code sshd -T [-C spec] -f FILE} for the same real-looking
 * sshd_config with Match blocks: every line sluice server prints is sshd's line for that keyword, in sshd's order,
 * for connections that match different blocks and for none.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerDumpInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CONFIG = """
            # a gateway host's sshd_config
            Port 2222
            ListenAddress 127.0.0.1
            HostKey %s
            AuthorizedKeysFile /etc/ssh/keys/%%u .ssh/authorized_keys
            TrustedUserCAKeys /etc/ssh/user_ca.pub
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitEmptyPasswords no
            AuthenticationMethods publickey
            MaxAuthTries 3
            LoginGraceTime 1m30s
            ClientAliveInterval 2m
            ClientAliveCountMax 5
            MaxStartups 10:30:60
            MaxSessions 4
            Ciphers aes256-gcm@openssh.com,aes128-ctr
            KexAlgorithms curve25519-sha256,ecdh-sha2-nistp256
            HostKeyAlgorithms ssh-ed25519,rsa-sha2-512
            MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-256
            Compression no
            RekeyLimit 1G 1h
            LogLevel VERBOSE
            AllowTcpForwarding local
            AllowStreamLocalForwarding no
            GatewayPorts no
            PermitOpen 127.0.0.1:80 [::1]:443
            PermitListen 8080 localhost:9090
            DisableForwarding no
            UseDNS no
            Banner /etc/issue.net
            ForceCommand none
            Subsystem sftp /usr/lib/openssh/sftp-server
            AcceptEnv LANG LC_*
            AcceptEnv TZ

            Match User deploy,!root Address 10.0.0.0/8
                ForceCommand /usr/local/bin/deploy --from-ssh
                ClientAliveInterval 30
                ClientAliveCountMax 2
                MaxSessions 1
                PermitTTY no
                AllowTcpForwarding no
                AcceptEnv DEPLOY_*
            Match Group root
                PasswordAuthentication yes
                AuthenticationMethods publickey,password publickey,keyboard-interactive
                KbdInteractiveAuthentication yes
                Banner none
                MaxAuthTries 2
            Match Host *.example.com LocalPort 2222
                GatewayPorts clientspecified
                PermitListen any
                MaxSessions 2
            Match LocalAddress 192.0.2.1
                DisableForwarding yes
                PermitOpen none
                AuthorizedKeysFile .ssh/gateway_keys
            Match All
                TrustedUserCAKeys none
                AllowStreamLocalForwarding local
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "user=nobody,host=h.internal,addr=203.0.113.1,laddr=127.0.0.1,lport=22",
        "user=deploy,host=build.internal,addr=10.1.2.3,laddr=127.0.0.1,lport=22",
        "user=root,host=a.example.com,addr=127.0.0.1,laddr=127.0.0.1,lport=2222",
        "user=nobody,host=b.example.com,addr=192.0.2.5,laddr=192.0.2.1,lport=2200",
        "user=root,addr=10.9.9.9,lport=22",
    })
    void sluiceDashTShouldPrintWhatSshdDashTPrints(String spec) throws Exception {
        Path config = config(CONFIG);
        List<String> extra = List.of("-C", spec);
        Map<String, List<String>> sshd = byKeyword(sshdDump(config, extra));
        List<String> sluice = sluiceDump(config, extra);

        assertThat(sluice).hasSizeGreaterThan(30);
        Map<String, List<String>> ours = byKeyword(sluice);
        for (Map.Entry<String, List<String>> e : ours.entrySet()) {
            assertThat(e.getValue()).as(e.getKey() + " for -C " + spec).isEqualTo(sshd.get(e.getKey()));
        }
        List<String> sshdOrder = new ArrayList<>(sshd.keySet());
        sshdOrder.retainAll(ours.keySet());
        assertThat(new ArrayList<>(ours.keySet())).as("sshd's order").isEqualTo(sshdOrder);
    }

    /**
     * With an sshd_config that sets only a host key, the defaults agree except where Sluice's differ on purpose
     * (README): its algorithm lists, password and keyboard-interactive off in embedded mode, one authorized_keys
     * file, IPv4 only unless told, and its own default host keys.
     */
    @Test
    void defaultsShouldBeSshdsExceptTheDocumentedDifferences() throws Exception {
        Path config = config("HostKey %s\n");
        Map<String, List<String>> sshd = byKeyword(sshdDump(config, List.of()));
        Map<String, List<String>> ours = byKeyword(sluiceDump(config, List.of()));
        Set<String> differ = Set.of("ciphers", "macs", "kexalgorithms", "hostkeyalgorithms", "passwordauthentication",
                "kbdinteractiveauthentication", "authorizedkeysfile", "listenaddress");
        for (Map.Entry<String, List<String>> e : ours.entrySet()) {
            if (!differ.contains(e.getKey())) {
                assertThat(e.getValue()).as(e.getKey()).isEqualTo(sshd.get(e.getKey()));
            }
        }
        assertThat(ours.get("passwordauthentication")).containsExactly("no");
    }

    /** A bad -C, -C without -T, and a Match LocalPort that -C does not answer. */
    @Test
    void aBadConnectionSpecificationShouldBeRefusedAsSshdRefusesIt() throws Exception {
        Path config = config(CONFIG);
        for (List<String> args : List.of(List.of("-T", "-C", "user=x,bogus=1"), List.of("-t", "-C", "user=x"),
                List.of("-T"), List.of("-T", "-C", "user=root,addr=10.9.9.9"))) {
            List<String> sshdCommand = new ArrayList<>(List.of("/usr/sbin/sshd", "-f", config.toString()));
            sshdCommand.addAll(args);
            SshRun sshd = SshRun.run(dir, sshdCommand, null, TIMEOUT);
            List<String> command = new ArrayList<>(SluiceCli.command("server"));
            command.addAll(List.of("-f", config.toString()));
            command.addAll(args);
            SshRun sluice = SshRun.run(dir, command, null, TIMEOUT);
            assertThat(sluice.status()).as(args.toString()).isEqualTo(sshd.status()).isNotZero();
            assertThat(sluice.stderr().strip()).isEqualTo(sshd.stderr().strip());
        }
    }

    private Path config(String template) throws Exception {
        OpenSshKeys.KeyPairFiles hostKey = OpenSshKeys.ed25519(dir, "host_key");
        Files.createDirectories(Path.of("/run/sshd"));
        return Files.writeString(dir.resolve("sshd_config"), template.formatted(hostKey.privateKey()));
    }

    private List<String> sshdDump(Path config, List<String> extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/sbin/sshd", "-T", "-f", config.toString()));
        command.addAll(extra);
        SshRun run = SshRun.run(dir, command, null, TIMEOUT);
        assertThat(run.status()).as(run.stderr()).isZero();
        return run.output().lines().toList();
    }

    private List<String> sluiceDump(Path config, List<String> extra) throws Exception {
        List<String> command = new ArrayList<>(SluiceCli.command("server"));
        command.addAll(List.of("-T", "-f", config.toString()));
        command.addAll(extra);
        SshRun run = SshRun.run(dir, command, null, TIMEOUT);
        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        return run.output().lines().toList();
    }

    /** The lines of a dump by keyword, in order (HostKey, AcceptEnv and Subsystem may have several). */
    private static Map<String, List<String>> byKeyword(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : lines) {
            int sp = line.indexOf(' ');
            out.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>()).add(line.substring(sp + 1));
        }
        return out;
    }
}
