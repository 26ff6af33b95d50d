package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connection.session.SessionConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session options of {@code sluice ssh} (-t, -T, -n, -s, RequestTTY, SendEnv, SetEnv) and the session keywords
 * of {@code sluice server} (Subsystem, AcceptEnv, ForceCommand, MaxSessions), parsed as OpenSSH parses them.
 */
class SessionOptionsTest {
    private static SshCommand.SshOptions ssh(String... letters) {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        for (String l : letters) {
            o.apply(new Getopt.Option(l.substring(0, 1), l.length() > 1 ? l.substring(1) : null));
        }
        return o;
    }

    @Test
    void ttyLettersShouldMapToRequestTtyAsSshDoes() {
        assertThat(ssh().sessionSpec(null, true).requestTty()).isEqualTo("auto");
        assertThat(ssh("t").sessionSpec(null, true).requestTty()).isEqualTo("yes");
        assertThat(ssh("t", "t").sessionSpec(null, true).requestTty()).isEqualTo("force");
        assertThat(ssh("T").sessionSpec(null, true).requestTty()).isEqualTo("no");
        assertThat(ssh("oRequestTTY=force").sessionSpec(null, true).requestTty()).isEqualTo("force");
    }

    @Test
    void nullStdinAndSubsystemLettersShouldBeKept() {
        SessionRunner.Spec spec = ssh("n", "s").sessionSpec(null, true);
        assertThat(spec.nullStdin()).isTrue();
        assertThat(spec.subsystem()).isTrue();
        assertThat(ssh("q").sessionSpec(null, true).quiet()).isTrue();
    }

    @Test
    void setEnvShouldKeepTheFirstValueAndSendEnvCollectPatterns() {
        SessionRunner.Spec spec = ssh("oSetEnv=A=1 B=two", "oSetEnv=A=3", "oSendEnv=LC_* LANG")
                .sessionSpec(null, true);
        assertThat(spec.setEnv()).containsExactly(Map.entry("A", "1"), Map.entry("B", "two"));
        assertThat(spec.sendEnv()).containsExactly("LC_*", "LANG");
        assertThatThrownBy(() -> ssh("oSetEnv=novalue")).hasMessage("command-line line 0: Invalid SetEnv.");
    }

    @Test
    void serverSessionKeywordsShouldBuildTheSessionConfig() {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        c.set("Subsystem", "sftp /usr/lib/openssh/sftp-server -l INFO", "cfg", 1);
        c.set("AcceptEnv", "LANG LC_*", "cfg", 2);
        c.set("AcceptEnv", "TZ", "cfg", 3);
        c.set("MaxSessions", "3", "cfg", 4);
        c.set("ForceCommand", "/bin/date", "cfg", 5);
        c.set("ForceCommand", "/bin/other", "cfg", 6);

        SessionConfig s = c.sessions();

        assertThat(s.subsystems()).containsExactly(Map.entry("sftp", "/usr/lib/openssh/sftp-server -l INFO"));
        assertThat(s.acceptEnv()).containsExactly("LANG", "LC_*", "TZ");
        assertThat(s.acceptsEnv("LC_ALL")).isTrue();
        assertThat(s.acceptsEnv("PATH")).isFalse();
        assertThat(s.maxSessions()).isEqualTo(3);
        assertThat(s.forceCommand()).as("sshd keeps the first value").isEqualTo("/bin/date");
    }

    @Test
    void subsystemErrorsShouldNameFileAndLine() {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        c.set("Subsystem", "sftp /usr/lib/openssh/sftp-server", "cfg", 1);
        assertThatThrownBy(() -> c.set("Subsystem", "sftp /other", "cfg", 7))
                .hasMessage("cfg line 7: Subsystem 'sftp' already defined.");
        assertThatThrownBy(() -> c.set("Subsystem", "x", "cfg", 8)).hasMessage("cfg line 8: Missing subsystem command.");
        assertThatThrownBy(() -> c.set("Subsystem", "sftp2 internal-sftp", "cfg", 9))
                .hasMessageContaining("internal-sftp is not supported");
        assertThatThrownBy(() -> c.set("MaxSessions", "many", "cfg", 10))
                .hasMessage("cfg line 10: MaxSessions integer value invalid.");
    }

    @Test
    void forceCommandNoneShouldMeanNoForcedCommand() {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        c.set("ForceCommand", "none", "cfg", 1);
        assertThat(c.sessions().forceCommand()).isNull();
    }
}
