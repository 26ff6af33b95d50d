package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.forwarding.AllowStreamLocalForwarding;
import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.GatewayPorts;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.PermitList;
import dev.sluice.forwarding.RemoteForward;
import dev.sluice.forwarding.StreamLocalPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarding options of {@code sluice ssh} (-R, RemoteForward, Unix-socket -L and StreamLocalBind*) and
 * {@code sluice server}'s policy keywords.
 */
class ForwardingOptionsTest {
    @Test
    void dashRAndRemoteForwardAddRemoteForwardings() throws Exception {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        for (Getopt.Option opt : new Getopt("46CgNTqvp:l:i:L:R:o:c:m:", List.of(),
                new String[] {"-R", "0:localhost:80", "-o", "RemoteForward [::1]:8080 db:5432", "-R", "1080",
                    "-o", "RemoteForward localhost:0", "host"}).options()) {
            o.apply(opt);
        }
        assertThat(o.remoteForwards).containsExactly(new RemoteForward(null, 0, "localhost", 80),
                new RemoteForward("::1", 8080, "db", 5432), RemoteForward.dynamic(null, 1080),
                RemoteForward.dynamic("localhost", 0));
        assertThat(o.showsInfo()).isTrue();
    }

    @Test
    void aBadRemoteForwardIsRefusedWithSshsMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"ssh", "-N", "-R", "80x80", "host"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(255);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Bad remote forwarding specification '80x80'");
    }

    @Test
    void serverPolicyKeywordsBuildTheForwardingPolicy(@TempDir Path dir) throws Exception {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        Path file = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "AllowTcpForwarding remote",
                "PermitOpen db:5432 [::1]:*",
                "PermitListen localhost:8080 9000",
                "GatewayPorts clientspecified",
                "DisableForwarding no", ""));
        c.readFile(file);
        ForwardingPolicy p = c.forwardingPolicy();
        assertThat(p.allowTcpForwarding()).isEqualTo(AllowTcpForwarding.REMOTE);
        assertThat(p.permitOpen()).isEqualTo(PermitList.parseOpen("db:5432 [::1]:*"));
        assertThat(p.permitListen()).isEqualTo(PermitList.parseListen("localhost:8080 *:9000"));
        assertThat(p.gatewayPorts()).isEqualTo(GatewayPorts.CLIENTSPECIFIED);
        assertThat(p.disableForwarding()).isFalse();
        c.setOption("DisableForwarding=yes");
        c.setOption("PermitOpen=none");
        assertThat(c.forwardingPolicy().disableForwarding()).isTrue();
        assertThat(c.forwardingPolicy().permitOpen()).isEqualTo(PermitList.NONE);
        assertThat(new ServerCommand.SshdConfig().forwardingPolicy()).isEqualTo(ForwardingPolicy.DEFAULT);
    }

    @Test
    void unixSocketForwardsAndTheirOptions(@TempDir Path dir) throws Exception {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        for (Getopt.Option opt : new Getopt("46CgNTqvp:l:i:L:R:o:c:m:", List.of(), new String[] {
            "-L", "8080:/run/app.sock", "-L", "/tmp/in.sock:db:5432", "-o", "StreamLocalBindMask=0117",
            "-o", "StreamLocalBindUnlink=yes", "host"}).options()) {
            o.apply(opt);
        }
        assertThat(o.forwards).containsExactly(new LocalForward(null, 8080, null, 0, null, "/run/app.sock"),
                new LocalForward(null, 0, "db", 5432, "/tmp/in.sock", null));
        assertThat(o.streamLocalBindMask).isEqualTo(0117);
        assertThat(o.streamLocalBindUnlink).isTrue();
        assertThat(new SshCommand.SshOptions().streamLocalBindMask).isEqualTo(0177);

        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        assertThat(c.allowStreamLocalForwarding()).isEqualTo(AllowStreamLocalForwarding.YES);
        c.readFile(Files.writeString(dir.resolve("sshd_config"), "AllowStreamLocalForwarding remote\n"));
        assertThat(c.allowStreamLocalForwarding()).isEqualTo(AllowStreamLocalForwarding.REMOTE);
    }

    @Test
    void remoteSocketForwardsAndTheServersStreamLocalKeywords(@TempDir Path dir) throws Exception {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        for (Getopt.Option opt : new Getopt("46CgNTqvp:l:i:L:R:o:c:m:", List.of(), new String[] {
            "-R", "/run/in.sock:localhost:80", "-R", "8080:/run/app.sock", "-o", "RemoteForward /a.sock /b.sock",
            "host"}).options()) {
            o.apply(opt);
        }
        assertThat(o.remoteForwards).containsExactly(new RemoteForward(null, 0, "localhost", 80, "/run/in.sock", null),
                new RemoteForward(null, 8080, null, 0, null, "/run/app.sock"),
                new RemoteForward(null, 0, null, 0, "/a.sock", "/b.sock"));
        ByteArrayOutputStream dump = new ByteArrayOutputStream();
        ConfigDump.print(o, new PrintStream(dump, true, StandardCharsets.UTF_8));
        assertThat(dump.toString(StandardCharsets.UTF_8)).contains("remoteforward /run/in.sock [localhost]:80\n",
                "remoteforward 8080 /run/app.sock\n", "remoteforward /a.sock /b.sock\n");

        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        assertThat(c.streamLocalPolicy()).isEqualTo(StreamLocalPolicy.DEFAULT);
        c.readFile(Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "AllowStreamLocalForwarding local", "StreamLocalBindMask 0117", "StreamLocalBindUnlink yes", "")));
        assertThat(c.streamLocalPolicy()).isEqualTo(new StreamLocalPolicy(AllowStreamLocalForwarding.LOCAL, 0117,
                true));
        assertThatThrownBy(() -> c.setOption("StreamLocalBindMask=0800"))
                .hasMessage("command-line line 0: Invalid mask.");
        assertThatThrownBy(() -> c.setOption("StreamLocalBindMask=x"))
                .hasMessage("command-line line 0: Invalid mask.");
        assertThatThrownBy(() -> c.setOption("StreamLocalBindUnlink=maybe"))
                .hasMessage("command-line line 0: unsupported option \"maybe\".");
    }

    @Test
    void permitRemoteOpenIsReadAsSshReadsIt() throws Exception {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        assertThat(o.permitRemoteOpen.isAny()).isTrue();
        for (Getopt.Option opt : new Getopt("46CgNTqvp:l:i:L:R:o:c:m:", List.of(), new String[] {
            "-o", "PermitRemoteOpen=db:5432 [::1]:*", "-o", "PermitRemoteOpen=none", "host"}).options()) {
            o.apply(opt);
        }
        assertThat(o.permitRemoteOpen).as("the first value wins")
                .isEqualTo(PermitList.parsePermitRemoteOpen(List.of("db:5432", "[::1]:*")));
        ByteArrayOutputStream dump = new ByteArrayOutputStream();
        ConfigDump.print(o, new PrintStream(dump, true, StandardCharsets.UTF_8));
        assertThat(dump.toString(StandardCharsets.UTF_8)).contains("permitremoteopen db:5432 [::1]:*\n");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"ssh", "-G", "-o", "PermitRemoteOpen=db", "host"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(255);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("command-line line 0: bad port number in permitremoteopen");
    }

    @Test
    void badPolicyValuesGetSshdsLineAndWords() {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        assertThatThrownBy(() -> c.setOption("PermitOpen=db:http"))
                .hasMessage("command-line line 0: PermitOpen bad port number");
        assertThatThrownBy(() -> c.setOption("PermitListen=any 80"))
                .hasMessage("command-line line 0: any must appear alone on a PermitListen line.");
        assertThatThrownBy(() -> c.setOption("PermitOpen=8080"))
                .hasMessage("command-line line 0: PermitOpen bad port number");
        assertThatThrownBy(() -> c.setOption("PermitOpen=:8080"))
                .hasMessage("command-line line 0: PermitOpen missing host");
        assertThatThrownBy(() -> c.setOption("GatewayPorts=maybe")).hasMessageStartingWith("command-line line 0: ");
        assertThatThrownBy(() -> c.setOption("DisableForwarding=maybe"))
                .hasMessage("command-line line 0: unsupported option \"maybe\".");
    }
}
