package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshKeys;
import dev.sluice.interop.harness.OpenSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ssh_config files against OpenSSH's own reading of them: {@code sluice ssh -G -F file host} prints what
 * {@code ssh -G -F file host} prints for every keyword sluice knows, and a connection configured only by a file
 * (host alias, port, user, key, known_hosts, algorithms) reaches a real sshd with those settings.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SshConfigInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /**
     * Keywords whose defaults legitimately differ when a file does not set them: sluice's algorithm lists (it has
     * mlkem768x25519-sha256, and no umac MACs, certificate or security-key key types, and it orders AES-GCM before
     * AES-CTR) and its default identity (only ~/.ssh/id_ed25519; ssh tries seven files).
     */
    private static final Set<String> DEFAULTS_DIFFER = Set.of("ciphers", "kexalgorithms", "macs",
            "hostkeyalgorithms", "pubkeyacceptedalgorithms", "identityfile");
    /** The keywords the issue lists that ssh -G prints; each must come out the same. */
    private static final List<String> COMPARED = List.of("host", "hostname", "port", "user", "identityfile",
            "identitiesonly", "identityagent", "certificatefile", "proxyjump", "proxycommand", "localforward",
            "remoteforward", "dynamicforward", "exitonforwardfailure", "gatewayports", "stricthostkeychecking",
            "userknownhostsfile", "hashknownhosts", "serveraliveinterval", "serveralivecountmax", "connecttimeout",
            "connectionattempts", "ciphers", "kexalgorithms", "macs", "hostkeyalgorithms",
            "pubkeyacceptedalgorithms", "preferredauthentications", "batchmode", "compression", "rekeylimit",
            "setenv", "sendenv", "loglevel", "requesttty", "sessiontype", "stdinnull", "passwordauthentication",
            "kbdinteractiveauthentication", "pubkeyauthentication", "numberofpasswordprompts", "forwardagent");

    @TempDir
    Path dir;

    @BeforeEach
    void writeConfig() throws IOException {
        // ssh -G fails (ExitOnForwardFailure) when a ForwardAgent path does not exist.
        for (String host : List.of("web", "web-2", "web-3")) {
            Files.createFile(dir.resolve("fwd-" + host + ".example.com.sock"));
        }
        Files.writeString(dir.resolve("included.conf"), """
                # Included from the main file: applies inside the Host block that included it
                Port 2022
                LocalForward 127.0.0.1:8443 [::1]:443
                """);
        Files.writeString(dir.resolve("config"), """
                # A real-looking ~/.ssh/config: specific hosts first, defaults last
                Host web web-*
                    HostName %h.Example.COM
                    User deploy
                    IdentityFile ~/.ssh/deploy_%r_%h
                    IdentitiesOnly yes
                    Include DIR/included.conf
                    LocalForward 8080 localhost:80
                    RemoteForward 9000 localhost:9000
                    RemoteForward 127.0.0.1:9001
                    DynamicForward 1080
                    ExitOnForwardFailure yes
                    GatewayPorts yes
                    StrictHostKeyChecking accept-new
                    UserKnownHostsFile ~/.ssh/kh_%h /tmp/%C/%d/%h/%i/%k/%L/%l/%n/%p/%r/%u/%%
                    IdentityAgent ~/agent/%n.sock
                    ForwardAgent DIR/fwd-%h.sock
                    CertificateFile ~/.ssh/deploy-cert.pub
                    ProxyJump jump@gw.example.com:2200
                    SetEnv APP=web "NOTE=two words"
                    SendEnv LANG LC_*
                    ConnectTimeout 1m30s
                    RekeyLimit 512M 1h
                    Ciphers aes256-gcm@openssh.com,aes128-ctr
                    KexAlgorithms curve25519-sha256,ecdh-sha2-nistp384
                    MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256
                    HostKeyAlgorithms ssh-ed25519,rsa-sha2-512
                    PubkeyAcceptedAlgorithms ssh-ed25519,ecdsa-sha2-nistp256
                    PreferredAuthentications publickey,keyboard-interactive
                    RequestTTY force
                Match host *.example.com !originalhost web-2
                    ServerAliveInterval 15
                    ServerAliveCountMax 5
                Match exec "test %n = execd" user root,LOCALUSER
                    Compression yes
                    HashKnownHosts yes
                Host legacy
                    HostName 10.0.0.7
                    ProxyCommand nc -X connect -x proxy:3128 %h %p
                    Ciphers aes128-ctr,aes256-ctr
                    PasswordAuthentication no
                    KbdInteractiveAuthentication=no
                    PubkeyAuthentication no
                    NumberOfPasswordPrompts 1
                    ForwardAgent yes
                    SessionType none
                    StdinNull yes
                Match final host final.example
                    BatchMode yes
                    LogLevel VERBOSE
                Host *
                    Port 22
                    User nobody
                    ConnectionAttempts 2
                    ForwardAgent no
                    ServerAliveInterval 60
                """.replace("DIR", dir.toString()).replace("LOCALUSER", System.getProperty("user.name")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "web-2", "alice@web-3", "execd", "legacy", "final.example", "other"})
    void dashGShouldPrintWhatSshDashGPrints(String destination) throws Exception {
        Path config = dir.resolve("config");
        SshRun ssh = SshRun.run(dir, List.of("ssh", "-G", "-F", config.toString(), destination), null, TIMEOUT);
        List<String> sluiceCommand = new ArrayList<>(SluiceCli.command("ssh"));
        sluiceCommand.addAll(List.of("-G", "-F", config.toString(), destination));
        SshRun sluice = SshRun.run(dir, sluiceCommand, null, TIMEOUT);
        assertThat(ssh.status()).as(ssh.stderr()).isZero();
        assertThat(sluice.status()).as(sluice.stderr()).isZero();

        Map<String, List<String>> expected = parse(ssh.output());
        Map<String, List<String>> actual = parse(sluice.output());
        assertThat(expected.keySet()).as("ssh prints every keyword sluice prints").containsAll(actual.keySet());
        String text = Files.readString(config);
        for (String keyword : COMPARED) {
            boolean setForThisHost = !destination.equals("other") && !destination.equals("final.example")
                    && !destination.equals("execd");
            if (DEFAULTS_DIFFER.contains(keyword) && !(setForThisHost && text.toLowerCase().contains(
                    "\n    " + keyword + " ") && (destination.startsWith("web") || destination.contains("@web")
                    || (destination.equals("legacy") && keyword.equals("ciphers"))))) {
                continue;
            }
            assertThat(actual.getOrDefault(keyword, List.of())).as(destination + ": " + keyword)
                    .isEqualTo(expected.getOrDefault(keyword, List.of()));
        }
    }

    @Test
    void aConnectionConfiguredOnlyByTheFileShouldReachSshdWithItsSettings() throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "client_key");
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(key.publicKeyLine()).logLevel("DEBUG1")
                .start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            Path config = Files.writeString(dir.resolve("connect_config"), """
                    Host box
                        HostName 127.0.0.1
                        Port %d
                        User %s
                        IdentityFile %s
                        IdentitiesOnly yes
                        IdentityAgent none
                        UserKnownHostsFile %s
                        StrictHostKeyChecking yes
                        BatchMode yes
                        KexAlgorithms ecdh-sha2-nistp384
                        Ciphers aes256-ctr
                        MACs hmac-sha2-512
                        SetEnv SLUICE_FROM_CONFIG=yes
                    Host *
                        Port 1
                        Ciphers aes128-ctr
                    """.formatted(sshd.port(), System.getProperty("user.name"), key.privateKey(), knownHosts));
            List<String> command = new ArrayList<>(SluiceCli.command("ssh"));
            command.addAll(List.of("-F", config.toString(), "box", "echo", "configured"));

            SshRun run = SshRun.run(dir, command, null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("configured\n");
            assertThat(sshd.log()).contains("kex: algorithm: ecdh-sha2-nistp384")
                    .contains("kex: client->server cipher: aes256-ctr MAC: hmac-sha2-512");
        }
    }

    /** {@code keyword value} lines into keyword → values, in order. */
    private static Map<String, List<String>> parse(String output) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                m.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>()).add(line.substring(sp + 1));
            }
        }
        return m;
    }
}
