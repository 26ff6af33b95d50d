package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent forwarding options as OpenSSH 9.2 reads them (each case checked against {@code ssh -G}): {@code -A} and
 * {@code -a} set the flag outright, ForwardAgent's first value wins, a path counts as yes and is what -G prints;
 * and the server's AllowAgentForwarding (also in Match blocks) and PermitUserEnvironment.
 */
class AgentForwardingOptionsTest {
    @TempDir
    Path dir;

    private static SshCommand.SshOptions ssh(String... letters) {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        for (String l : letters) {
            o.apply(new Getopt.Option(l.substring(0, 1), l.length() > 1 ? l.substring(1) : null));
        }
        o.destination("example.org");
        o.resolve();
        return o;
    }

    /** The forwardagent line of -G. */
    private static String dumped(SshCommand.SshOptions o) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConfigDump.print(o, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("forwardagent "))
                .findFirst().orElseThrow();
    }

    @Test
    void lettersShouldSetTheFlagOutrightTheLastOneWinning() {
        assertThat(dumped(ssh())).isEqualTo("forwardagent no");
        assertThat(dumped(ssh("A"))).isEqualTo("forwardagent yes");
        assertThat(dumped(ssh("A", "a"))).isEqualTo("forwardagent no");
        assertThat(dumped(ssh("a", "A"))).isEqualTo("forwardagent yes");
        assertThat(dumped(ssh("oForwardAgent=no", "A"))).isEqualTo("forwardagent yes");
        assertThat(dumped(ssh("A", "oForwardAgent=no"))).isEqualTo("forwardagent yes");
        assertThat(dumped(ssh("oForwardAgent=yes", "oForwardAgent=no"))).isEqualTo("forwardagent yes");
    }

    @Test
    void aPathShouldCountAsYesAndBePrintedExpanded() {
        SshCommand.SshOptions o = ssh("oForwardAgent=~/agents/%h.sock");
        assertThat(o.forwardAgent).isTrue();
        assertThat(dumped(o)).isEqualTo("forwardagent " + System.getProperty("user.home") + "/agents/example.org.sock");
        // ssh keeps the path even when -a turned forwarding off, and -G prints it.
        SshCommand.SshOptions off = ssh("a", "oForwardAgent=/tmp/x.sock");
        assertThat(off.forwardAgent).isFalse();
        assertThat(dumped(off)).isEqualTo("forwardagent /tmp/x.sock");
        assertThat(dumped(ssh("oForwardAgent=$SSH_AUTH_SOCK"))).isEqualTo("forwardagent $SSH_AUTH_SOCK");
    }

    @Test
    void anUnsetVariableInThePathShouldBeRefusedAsSshRefusesIt() {
        assertThatThrownBy(() -> ssh("oForwardAgent=${SLUICE_SURELY_UNSET_VARIABLE}/agent"))
                .hasMessage("vdollar_percent_expand: env var ${SLUICE_SURELY_UNSET_VARIABLE} has no value\n"
                        + "command-line line 0: Invalid environment expansion ${SLUICE_SURELY_UNSET_VARIABLE}/agent.");
    }

    @Test
    void theSocketToForwardShouldBeThePathElseAnAnsweringSshAuthSock() {
        Path missing = dir.resolve("missing.sock");

        assertThat(ssh().agentToForward()).isNull();
        assertThat(ssh("a", "oForwardAgent=" + missing).agentToForward()).isNull();
        assertThat(ssh("oForwardAgent=" + missing).agentToForward()).isEqualTo(missing);
    }

    @Test
    void aMissingPathShouldBeReportedAndBeFatalOnlyWithExitOnForwardFailure() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errs = new PrintStream(err, true, StandardCharsets.UTF_8);
        Path missing = dir.resolve("missing.sock");

        assertThat(ssh("a", "oForwardAgent=" + missing).checkForwardAgentPath(errs)).isTrue();
        assertThat(ssh("oForwardAgent=" + dir).checkForwardAgentPath(errs)).isTrue();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(ssh("oForwardAgent=" + missing).checkForwardAgentPath(errs)).isTrue();
        assertThat(ssh("oForwardAgent=" + missing, "oExitOnForwardFailure=yes").checkForwardAgentPath(errs))
                .isFalse();
        String warning = "Cannot forward agent socket path \"" + missing + "\": No such file or directory\n";
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(warning + warning);
    }

    private static SshdMatch.Connection connection(String user) {
        return new SshdMatch.Connection(user, "127.0.0.1", "127.0.0.1", "127.0.0.1", 22);
    }

    @Test
    void allowAgentForwardingShouldTakeTheFirstValueAndMatchBlocks() throws Exception {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        c.readFile(Files.writeString(dir.resolve("sshd_config"), """
                AllowAgentForwarding no
                AllowAgentForwarding yes
                Match User admin
                    AllowAgentForwarding yes
                """));
        assertThat(c.forConnection(connection("bob")).allowAgentForwarding()).isFalse();
        assertThat(c.forConnection(connection("admin")).allowAgentForwarding()).isTrue();
        assertThat(new ServerCommand.SshdConfig().allowAgentForwarding()).as("sshd's default").isTrue();
        assertThatThrownBy(() -> new ServerCommand.SshdConfig().set("AllowAgentForwarding", "maybe", "cfg", 3))
                .hasMessage("cfg line 3: unsupported option \"maybe\".");
    }

    @Test
    void permitUserEnvironmentShouldBeNoYesOrAPatternList() {
        assertThat(new ServerCommand.SshdConfig().sessions().permitUserEnvironment()).as("sshd's default").isEmpty();
        ServerCommand.SshdConfig yes = new ServerCommand.SshdConfig();
        yes.set("PermitUserEnvironment", "yes", "cfg", 1);
        yes.set("PermitUserEnvironment", "no", "cfg", 2);
        assertThat(yes.sessions().permitsUserEnvironment("ANYTHING")).isTrue();
        ServerCommand.SshdConfig list = new ServerCommand.SshdConfig();
        list.set("PermitUserEnvironment", "LANG,LC_*,!LC_ALL", "cfg", 1);
        assertThat(list.sessions().permitUserEnvironment()).isEqualTo(List.of("LANG", "LC_*", "!LC_ALL"));
        assertThat(list.sessions().permitsUserEnvironment("LC_TIME")).isTrue();
        assertThat(list.sessions().permitsUserEnvironment("LC_ALL")).isFalse();
        assertThat(list.sessions().permitsUserEnvironment("PATH")).isFalse();
    }
}
