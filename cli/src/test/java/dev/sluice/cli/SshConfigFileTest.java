package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ssh_config files through {@code sluice ssh -G}: the user's ~/.ssh/config then the system file, {@code -F}, Host
 * and Match blocks, Include, tokens, the first value winning, and ssh's error messages. Each case writes real-looking
 * files into a temporary home directory and reads the resolved configuration back.
 */
class SshConfigFileTest {
    @TempDir
    Path home;
    private String savedHome;
    private Path system;

    @BeforeEach
    void useTemporaryHome() throws IOException {
        savedHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        Files.createDirectories(home.resolve(".ssh/conf.d"));
        system = home.resolve("system_ssh_config");
    }

    @AfterEach
    void restoreHome() {
        System.setProperty("user.home", savedHome);
    }

    /** One case: files (path relative to home → text), the arguments, and lines -G must print. */
    record Case(String name, Map<String, String> files, List<String> args, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, Map<String, String> files, String args, String... expected) {
        return new Case(name, files, List.of(args.split(" ")), List.of(expected));
    }

    static Stream<Case> resolvedConfigs() {
        String user = System.getProperty("user.name");
        return Stream.of(
                c("first value wins across blocks", Map.of(".ssh/config", """
                        # the specific host first, defaults last, as ssh_config(5) advises
                        Host web
                            Port 2201
                            User deploy
                        Host *
                            Port 22
                            User nobody
                            Compression yes
                        """), "web", "port 2201", "user deploy", "compression yes"),
                c("command line before the files", Map.of(".ssh/config", "Host web\n  Port 2201\n  User deploy\n"),
                        "-p 7 -l me -o Compression=no web", "port 7", "user me", "compression no"),
                c("-o before the letter that follows it", Map.of(), "-o Port=6 -p 7 web", "port 6"),
                c("user@ beats User", Map.of(".ssh/config", "Host web\n  User deploy\n"), "alice@web",
                        "user alice"),
                c("user file before system file", Map.of(".ssh/config", "Port 1\nSendEnv A\n",
                        "system_ssh_config", "Port 2\nSendEnv B\nUser sys\n"), "h", "port 1", "sendenv A",
                        "sendenv B", "user sys"),
                c("cumulative keywords keep every value", Map.of(".ssh/config", """
                        Host web
                          IdentityFile ~/.ssh/web_key
                          LocalForward 8080 localhost:80
                        Host *
                          IdentityFile ~/.ssh/id_ed25519
                          LocalForward 127.0.0.1:8443 [::1]:443
                          DynamicForward 1080
                          RemoteForward 9000 localhost:9000
                        """), "-i /keys/cli web", "identityfile /keys/cli", "identityfile ~/.ssh/web_key",
                        "identityfile ~/.ssh/id_ed25519", "localforward 8080 [localhost]:80",
                        "localforward [127.0.0.1]:8443 [::1]:443", "dynamicforward 1080",
                        "remoteforward 9000 [localhost]:9000"),
                c("host patterns: wildcards, several, negation", Map.of(".ssh/config", """
                        Host *.example.com !secret.example.com
                          User wild
                        Host ?ecret.example.com db
                          User single
                        """), "secret.example.com", "user single"),
                c("host pattern matches the name as given", Map.of(".ssh/config", """
                        Host *.example.com
                          User wild
                        """), "www.example.com", "user wild"),
                c("Match host sees the HostName", Map.of(".ssh/config", """
                        Host short
                          HostName %h.internal.example
                        Match host *.internal.example
                          User inner
                        Match originalhost short
                          Port 2222
                        """), "short", "hostname short.internal.example", "user inner", "port 2222"),
                c("Match user, localuser, all and negation", Map.of(".ssh/config", """
                        Match user admin
                          Port 1022
                        Match localuser %s !host nomatch
                          Compression yes
                        Match !all
                          BatchMode yes
                        Match all
                          ConnectionAttempts 4
                        """.formatted(user)), "admin@h", "port 1022", "compression yes", "batchmode no",
                        "connectionattempts 4"),
                c("Match exec runs under /bin/sh with tokens", Map.of(".ssh/config", """
                        Match exec "test %h = h1"
                          User execd
                        Match exec false
                          Port 99
                        """), "h1", "user execd", "port 22"),
                c("Match final is a second pass over the resolved host", Map.of(".ssh/config", """
                        Host alias
                          HostName Real.Example.COM
                        Match final host real.example.com
                          User finalist
                        Match canonical
                          Port 3
                        """), "alias", "hostname real.example.com", "user finalist", "port 3"),
                c("Include: relative to ~/.ssh, globs in order, inside a block", Map.of(
                        ".ssh/config", "Include conf.d/*.conf\nHost other\n  Include extra\n",
                        ".ssh/conf.d/10-first.conf", "Host inc\n  User first\n",
                        ".ssh/conf.d/20-second.conf", "Host inc\n  User second\n  Port 2020\n",
                        ".ssh/extra", "Port 9\n"), "inc", "user first", "port 2020"),
                c("Include in an inactive block stays off", Map.of(
                        ".ssh/config", "Host other\n  Include extra\n", ".ssh/extra", "User included\n"), "inc",
                        "user " + user),
                c("keyword=value, quotes and comments", Map.of(".ssh/config", """
                        Port=2022
                          User = "quoted user"   # trailing comment
                        SetEnv FOO="a b" BAR=c
                        SendEnv LANG LC_*
                        SendEnv -LC_*
                        ProxyJump jump@gw:2200
                        RekeyLimit 1G 1h
                        ConnectTimeout 1m30s
                        """), "h", "port 2022", "user quoted user", "setenv FOO=a b", "setenv BAR=c",
                        "sendenv LANG", "proxyjump jump@gw:2200", "rekeylimit 1073741824 3600",
                        "connecttimeout 90"),
                c("tokens in the file names ssh expands", Map.of(".ssh/config", """
                        Host tok
                          HostName tok.example
                          User bob
                          Port 2200
                          UserKnownHostsFile ~/kh/%h-%p-%r %d/%u/%n/%%
                          IdentityAgent ~/agent/%n
                          IdentityFile ~/.ssh/id_%h
                        """), "tok", "userknownhostsfile " + "HOME/kh/tok.example-2200-bob HOME/" + user
                        + "/tok/%", "identityagent HOME/agent/tok", "identityfile ~/.ssh/id_%h"),
                c("IgnoreUnknown and keywords sluice does not implement", Map.of(".ssh/config", """
                        IgnoreUnknown UseKeychain,AddKeys*
                        UseKeychain yes
                        ForwardAgent yes
                        GSSAPIAuthentication yes
                        ControlMaster auto
                        """), "h", "port 22"),
                c("-F replaces both files; -F none reads none", Map.of(".ssh/config", "Port 1\n",
                        "system_ssh_config", "Port 2\n", "custom", "Port 3\n"), "-F HOME/custom h", "port 3"),
                c("-F none", Map.of(".ssh/config", "Port 1\n", "system_ssh_config", "Port 2\n"), "-F none h",
                        "port 22"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resolvedConfigs")
    void dashGShouldPrintTheResolvedConfiguration(Case c) throws IOException {
        write(c.files());
        Result r = run(c.args());
        assertThat(r.status).as(r.err).isZero();
        List<String> expected = c.expected().stream().map(l -> l.replace("HOME", home.toString())).toList();
        assertThat(r.out.lines().toList()).containsAll(expected);
        if (c.name().startsWith("cumulative")) {
            assertThat(r.out.lines().filter(l -> l.startsWith("identityfile ")).toList())
                    .as("in the order obtained").containsExactly(expected.subList(0, 3).toArray(String[]::new));
        }
    }

    static Stream<Case> badConfigs() {
        return Stream.of(
                c("unknown keywords are counted", Map.of(".ssh/config", "Port 22\nFoo bar\nHost x\n  Bar=1\n"), "h",
                        "CFG: line 2: Bad configuration option: foo", "CFG: line 4: Bad configuration option: bar",
                        "CFG: terminating, 2 bad configuration options"),
                c("bad values in inactive blocks too", Map.of(".ssh/config", "Host other\n  Port abc\n"), "h",
                        "CFG line 2: Bad port 'abc'.", "CFG: terminating, 1 bad configuration options"),
                c("argument counts", Map.of(".ssh/config", "Port\nUser a b\nBatchMode maybe\n"), "h",
                        "CFG line 1: no argument after keyword \"port\"",
                        "CFG line 2: keyword user extra arguments at end of line",
                        "CFG line 3: unsupported option \"maybe\".",
                        "CFG: terminating, 3 bad configuration options"),
                c("Match conditions", Map.of(".ssh/config", "Match host\nMatch all host x\nMatch tagged x\n"), "h",
                        "Missing Match criteria for host", "CFG line 1: Bad Match condition",
                        "CFG line 2: 'all' cannot be combined with other Match attributes",
                        "Unsupported Match attribute tagged", "CFG: terminating, 3 bad configuration options"),
                c("quotes and values", Map.of(".ssh/config",
                        "HostName \"a b\nSetEnv A\nCiphers nope\nLocalForward 1\nLogLevel loud\n"), "h",
                        "CFG line 1: invalid quotes", "CFG line 2: Invalid SetEnv.",
                        "CFG line 3: Bad SSH2 cipher spec 'nope'.", "CFG line 4: Missing target argument.",
                        "CFG line 5: unsupported log level 'loud'",
                        "CFG: terminating, 5 bad configuration options"),
                c("unknown token", Map.of(".ssh/config", "UserKnownHostsFile /x/%j\n"), "h",
                        "vdollar_percent_expand: unknown key %j"),
                c("command line", Map.of(), "-o Foo=1 h", "command-line: line 0: Bad configuration option: foo"),
                c("Host on the command line", Map.of(), "-o Host=x h",
                        "Host directive not supported as a command-line option"),
                c("missing -F file", Map.of(), "-F HOME/nope h",
                        "Can't open user config file HOME/nope: No such file or directory"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigurationsShouldFailWithSshsMessages(Case c) throws IOException {
        write(c.files());
        Result r = run(c.args());
        assertThat(r.status).isEqualTo(255);
        String cfg = home.resolve(".ssh/config").toString();
        List<String> expected = c.expected().stream().map(l -> l.replace("CFG", cfg).replace("HOME",
                home.toString())).toList();
        assertThat(r.err.lines().toList()).containsSubsequence(expected);
        assertThat(r.out).isEmpty();
    }

    @Test
    void theFirstValueShouldWinForEveryImplementedKeyword() {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        String[][] pairs = {{"HostName", "a", "b"}, {"Port", "1", "2"}, {"User", "u1", "u2"},
            {"IdentitiesOnly", "yes", "no"}, {"IdentityAgent", "/a", "/b"}, {"ProxyJump", "j1", "j2"},
            {"ExitOnForwardFailure", "yes", "no"}, {"GatewayPorts", "yes", "no"},
            {"StrictHostKeyChecking", "no", "yes"}, {"UserKnownHostsFile", "/k1", "/k2"},
            {"ConnectTimeout", "5", "6"}, {"Ciphers", "aes128-ctr", "aes256-ctr"},
            {"KexAlgorithms", "curve25519-sha256", "ecdh-sha2-nistp256"}, {"MACs", "hmac-sha2-256", "hmac-sha2-512"},
            {"HostKeyAlgorithms", "ssh-ed25519", "rsa-sha2-256"}, {"PreferredAuthentications", "password", "publickey"},
            {"BatchMode", "yes", "no"}, {"Compression", "yes", "no"}, {"RekeyLimit", "1M", "2M"},
            {"SetEnv", "A=1", "A=2"}, {"LogLevel", "DEBUG", "QUIET"}, {"RequestTTY", "force", "no"},
            {"ServerAliveInterval", "5", "6"}, {"HashKnownHosts", "yes", "no"}};
        for (String[] p : pairs) {
            o.set(p[0], List.of(p[1]), "cfg", 1, true);
            o.set(p[0], List.of(p[2]), "cfg", 2, true);
        }
        o.destination("h");
        o.resolve();
        assertThat(o.host).isEqualTo("a");
        assertThat(o.port).isEqualTo(1);
        assertThat(o.user).isEqualTo("u1");
        assertThat(o.identitiesOnly).isTrue();
        assertThat(o.identityAgent).isEqualTo("/a");
        assertThat(o.jumps).extracting(SshCommand.Jump::host).containsExactly("j1");
        assertThat(o.exitOnForwardFailure).isTrue();
        assertThat(o.gatewayPorts).isTrue();
        assertThat(o.strictHostKeyChecking).isEqualTo("no");
        assertThat(o.knownHostsFiles()).containsExactly(Path.of("/k1"));
        assertThat(o.connectTimeoutSeconds).isEqualTo(5);
        assertThat(o.ciphers).isEqualTo("aes128-ctr");
        assertThat(o.kexAlgorithms).isEqualTo("curve25519-sha256");
        assertThat(o.macs).isEqualTo("hmac-sha2-256");
        assertThat(o.hostKeyAlgorithms).isEqualTo("ssh-ed25519");
        assertThat(o.preferredAuthentications).containsExactly("password");
        assertThat(o.batchMode).isTrue();
        assertThat(o.compression).isTrue();
        assertThat(o.rekeyLimit.bytes()).isEqualTo(1 << 20);
        assertThat(o.setEnv).containsExactly(Map.entry("A", "1"));
        assertThat(o.logLevel).isEqualTo("DEBUG");
        assertThat(o.requestTty).isEqualTo("force");
        assertThat(o.serverAliveIntervalSeconds).isEqualTo(5);
        assertThat(o.hashKnownHosts).isTrue();
    }

    @Test
    void aUserConfigOthersMayWriteShouldBeRefused() throws IOException {
        Path config = Files.writeString(home.resolve(".ssh/config"), "Port 2\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw-r--"));
        Result r = run(List.of("h"));
        assertThat(r.status).isEqualTo(255);
        assertThat(r.err).isEqualTo("Bad owner or permissions on " + config + "\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run(List.of("h")).out).contains("port 2\n");
    }

    @Test
    void logLevelShouldBeNamedAsSshGNamesIt() {
        assertThat(run(List.of("-q", "h")).out).contains("loglevel SILENT\n");
        assertThat(run(List.of("-v", "h")).out).contains("loglevel DEBUG\n");
        assertThat(run(List.of("-vvv", "h")).out).contains("loglevel DEBUG3\n");
        assertThat(run(List.of("-o", "LogLevel=debug1", "h")).out).contains("loglevel DEBUG\n");
        assertThat(run(List.of("h")).out).contains("loglevel INFO\n");
    }

    @Test
    void proxyCommandShouldKeepTheRestOfTheLineAsWritten() throws IOException {
        Files.writeString(home.resolve(".ssh/config"), "Host h\n  ProxyCommand sh -c 'nc \"%h\" %p'  # as is\n");
        assertThat(run(List.of("h")).out).contains("proxycommand sh -c 'nc \"%h\" %p'  # as is\n");
    }

    @Test
    void splitShouldFollowArgvSplit() {
        assertThat(SshConfigFile.split("a \"b c\" 'd e' f\\ g h\\\"i # comment", "f", 1))
                .containsExactly("a", "b c", "d e", "f g", "h\"i");
        assertThat(SshConfigFile.split("x#y \"#z\"", "f", 1)).containsExactly("x#y", "#z");
    }

    @Test
    void patternsShouldMatchAsOpenSsh() {
        assertThat(Patterns.matches("web1.example.com", "web?.example.*")).isTrue();
        assertThat(Patterns.matches("web12.example.com", "web?.example.*")).isFalse();
        assertThat(Patterns.matchesList("db.example.com", "*.example.com,!db.*")).isFalse();
        assertThat(Patterns.matchesList("www.example.com", "*.example.com,!db.*")).isTrue();
        assertThat(Patterns.matchesList("x", "!y")).as("a negation alone matches nothing").isFalse();
    }

    private void write(Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = home.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
    }

    private record Result(int status, String out, String err) {
    }

    private Result run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("-G"));
        all.addAll(args.stream().map(a -> a.replace("HOME", home.toString())).toList());
        int status = new SshCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), system).run(all.toArray(String[]::new));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
