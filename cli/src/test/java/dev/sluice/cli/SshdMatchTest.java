package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.GatewayPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sluice server's {@code Match} blocks: which block applies to a connection (User, Group, Host, Address,
 * LocalAddress, LocalPort, All), the first matching value of each keyword winning over the global one, and sshd's
 * errors for bad blocks.
 */
class SshdMatchTest {
    @TempDir
    Path dir;

    private ServerCommand.SshdConfig read(String text) throws Exception {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        c.readFile(Files.writeString(dir.resolve("sshd_config"), text));
        return c;
    }

    /** The forwarding policy of a connection of {@code user} from {@code address} to {@code localPort}. */
    private static ForwardingPolicy policy(ServerCommand.SshdConfig c, String user, String address, int localPort) {
        return c.forConnection(new SshdMatch.Connection(user, address, address, "127.0.0.1", localPort))
                .forwardingPolicy();
    }

    @Test
    void matchingBlocksShouldOverrideTheGlobalPolicyFirstValueFirst() throws Exception {
        ServerCommand.SshdConfig c = read("""
                AllowTcpForwarding yes
                GatewayPorts no
                # interns may only tunnel to the wiki, and not from outside the office
                Match User intern-*,!intern-lead Address 10.0.0.0/8
                    AllowTcpForwarding local
                    PermitOpen wiki.internal:443
                Match User intern-*
                    AllowTcpForwarding no
                Match LocalPort 2222
                    GatewayPorts clientspecified
                Match All
                    AllowTcpForwarding remote
                """);

        ForwardingPolicy office = policy(c, "intern-ann", "10.1.2.3", 22);
        assertThat(office.allowTcpForwarding()).isEqualTo(AllowTcpForwarding.LOCAL);
        assertThat(office.permitOpen().permitsOpen("wiki.internal", 443)).isTrue();
        assertThat(office.permitOpen().permitsOpen("db.internal", 5432)).isFalse();

        assertThat(policy(c, "intern-ann", "192.0.2.7", 22).allowTcpForwarding())
                .isEqualTo(AllowTcpForwarding.NO);
        assertThat(policy(c, "intern-lead", "10.1.2.3", 22).allowTcpForwarding())
                .as("a negated user skips the block; the next matching one counts").isEqualTo(AllowTcpForwarding.NO);
        assertThat(policy(c, "bob", "10.1.2.3", 22).allowTcpForwarding()).isEqualTo(AllowTcpForwarding.REMOTE);
        ForwardingPolicy other = policy(c, "alice", "::1", 2222);
        assertThat(other.gatewayPorts()).isEqualTo(GatewayPorts.CLIENTSPECIFIED);
        assertThat(other.allowTcpForwarding()).isEqualTo(AllowTcpForwarding.REMOTE);
        assertThat(policy(c, "alice", "::1", 22).gatewayPorts()).isEqualTo(GatewayPorts.NO);
        assertThat(c.forwardingPolicy()).as("the global policy").isEqualTo(new ForwardingPolicy(
                AllowTcpForwarding.YES, false, ForwardingPolicy.DEFAULT.permitOpen(),
                ForwardingPolicy.DEFAULT.permitListen(), GatewayPorts.NO));
    }

    @Test
    void matchingBlocksShouldSetTheAuthenticationAndSessionKeywordsPerConnection() throws Exception {
        ServerCommand.SshdConfig c = read("""
                PasswordAuthentication no
                MaxSessions 10
                AcceptEnv LANG
                ForceCommand /bin/global
                Banner none
                Match User alice,bob Host 192.0.2.*
                    PasswordAuthentication yes
                    AuthenticationMethods publickey,password
                    MaxAuthTries 2
                    AcceptEnv TZ
                    AcceptEnv LC_*
                    ForceCommand none
                Match Address 192.0.2.0/24 LocalAddress 127.0.0.1 LocalPort 2222
                    MaxSessions 1
                    PasswordAuthentication no
                    AcceptEnv X
                Match User carol
                    ClientAliveInterval 2m
                Match All
                    KbdInteractiveAuthentication yes
                    ChallengeResponseAuthentication no
                    PubkeyAuthentication no
                """);
        ServerCommand.SshdConfig alice = c.forConnection(
                new SshdMatch.Connection("alice", "192.0.2.9", "192.0.2.9", "127.0.0.1", 2222));
        assertThat(alice.authConfig().password()).as("the first matching block's value wins").isNotNull();
        assertThat(alice.authConfig().keyboardInteractive()).as("aliases share a keyword: first wins").isNotNull();
        assertThat(alice.publicKeys()).isNull();
        assertThat(alice.authConfig().authenticationMethods()).containsExactly(List.of("publickey", "password"));
        assertThat(alice.maxAuthTries()).isEqualTo(2);
        assertThat(alice.sessions().maxSessions()).isEqualTo(1);
        assertThat(alice.sessions().acceptEnv()).as("AcceptEnv lines of matching blocks add up, replacing")
                .containsExactly("TZ", "LC_*", "X");
        assertThat(alice.sessions().forceCommand()).as("ForceCommand none in Match lifts the global one").isNull();

        ServerCommand.SshdConfig carol = c.forConnection(
                new SshdMatch.Connection("carol", "198.51.100.1", "198.51.100.1", "127.0.0.1", 22));
        assertThat(carol.authConfig().password()).isNull();
        assertThat(carol.sessions().maxSessions()).isEqualTo(10);
        assertThat(carol.sessions().acceptEnv()).containsExactly("LANG");
        assertThat(carol.sessions().forceCommand()).isEqualTo("/bin/global");
        assertThat(carol.maxAuthTries()).isEqualTo(6);
        assertThat(carol.connectionConfig().keepAliveInterval()).hasSeconds(120);
        assertThat(alice.connectionConfig().keepAliveInterval()).isZero();
        assertThat(c.sessions().forceCommand()).as("the global configuration is untouched").isEqualTo("/bin/global");

        ServerCommand.SshdConfig unknownUser = c.forConnection(
                new SshdMatch.Connection(null, null, null, null, -1));
        assertThat(unknownUser.authConfig().keyboardInteractive()).as("Match All").isNotNull();
        assertThat(unknownUser.authConfig().password()).as("unknown criteria never match").isNull();
    }

    @Test
    void authenticationMethodListsWithAMethodOffForTheUserShouldBeSkippedAsSshdSkipsThem() throws Exception {
        ServerCommand.SshdConfig c = read("""
                PasswordAuthentication yes
                AuthenticationMethods publickey,password publickey
                Match User keys-only
                    PasswordAuthentication no
                Match User nothing-left
                    PubkeyAuthentication no
                    AuthenticationMethods publickey
                """);
        assertThat(MatchedConfig.settings(c.forConnection(new SshdMatch.Connection("anyone", "h", "192.0.2.1",
                "127.0.0.1", 22))).auth().authenticationMethods())
                .containsExactly(List.of("publickey", "password"), List.of("publickey"));
        var keysOnly = MatchedConfig.settings(c.forConnection(new SshdMatch.Connection("keys-only", "h", "192.0.2.1",
                "127.0.0.1", 22)));
        assertThat(keysOnly.auth().authenticationMethods()).containsExactly(List.of("publickey"));
        assertThat(keysOnly.auth().password()).isNull();
        assertThatThrownBy(() -> MatchedConfig.settings(c.forConnection(new SshdMatch.Connection("nothing-left",
                "h", "192.0.2.1", "127.0.0.1", 22))))
                .hasMessage("No AuthenticationMethods left after eliminating disabled methods");
    }

    @Test
    void groupsShouldComeFromPasswdAndGroupFilesWithNegationVetoing() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "alice:x:1000:1000::/home/alice:/bin/sh\n"
                + "bob:x:1001:1001::/home/bob:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "alice:x:1000:\nbob:x:1001:\n"
                + "staff:x:50:alice,bob\nwheel:x:10:bob\n");
        List<String> alice = SshdMatch.UnixGroups.of("alice", passwd, group);
        List<String> bob = SshdMatch.UnixGroups.of("bob", passwd, group);
        assertThat(alice).containsExactly("alice", "staff");
        assertThat(bob).containsExactly("bob", "staff", "wheel");
        assertThat(SshdMatch.UnixGroups.of("nobody-here", passwd, group)).isEmpty();
        assertThat(SshdMatch.groupMatches(alice, "st*")).isTrue();
        assertThat(SshdMatch.groupMatches(bob, "staff,!wheel")).as("a negated group vetoes").isFalse();
        assertThat(SshdMatch.groupMatches(alice, "staff,!wheel")).isTrue();
        assertThat(SshdMatch.groupMatches(alice, "!wheel")).as("negation alone matches nothing").isFalse();
        assertThat(SshdMatch.UnixGroups.of("root")).as("the system's own files").contains("root");
    }

    @Test
    void theTestModeSpecificationShouldBeReadAsSshdReadsIt() {
        assertThat(SshdMatch.Connection.parse("user=alice,host=h.example,addr=10.0.0.1,laddr=127.0.0.1,lport=22"))
                .isEqualTo(new SshdMatch.Connection("alice", "h.example", "10.0.0.1", "127.0.0.1", 22));
        assertThat(SshdMatch.Connection.parse("addr=::1")).isEqualTo(
                new SshdMatch.Connection(null, null, "::1", null, -1));
        assertThatThrownBy(() -> SshdMatch.Connection.parse("user=a,foo=1"))
                .hasMessage("Invalid test mode specification foo=1");
    }

    @Test
    void badBlocksShouldFailWithSshdsWords() {
        assertThatThrownBy(() -> read("Match User\n")).hasMessage("Missing Match criteria for User\n"
                + dir.resolve("sshd_config") + " line 1: Bad Match condition");
        assertThatThrownBy(() -> read("Match RDomain x\n"))
                .hasMessageEndingWith("Unsupported Match attribute RDomain\n" + dir.resolve("sshd_config")
                        + " line 1: Bad Match condition");
        assertThatThrownBy(() -> read("Match LocalPort x\n")).hasMessage("Invalid LocalPort 'x' on Match line\n"
                + dir.resolve("sshd_config") + " line 1: Bad Match condition");
        assertThatThrownBy(() -> read("Match User x Address\n")).hasMessageStartingWith(
                "Missing Match criteria for Address");
        assertThatThrownBy(() -> read("Match All User x\n"))
                .hasMessageStartingWith("'all' cannot be combined with other Match attributes");
        assertThatThrownBy(() -> read("Match User x\n  Port 23\n")).hasMessage(dir.resolve(
                "sshd_config") + " line 2: Directive 'Port' is not allowed within a Match block");
        assertThatThrownBy(() -> read("Foo 1\nMatch User x\n  Bar yes\n")).hasMessage(dir.resolve("sshd_config")
                + ": line 1: Bad configuration option: Foo\n" + dir.resolve("sshd_config")
                + ": line 3: Bad configuration option: Bar\n" + dir.resolve("sshd_config")
                + " line 3: Directive 'Bar' is not allowed within a Match block");
        assertThatThrownBy(() -> read("Match User x\n  LogLevel DEBUG3\n")).hasMessage(dir.resolve(
                "sshd_config") + " line 2: Directive 'LogLevel' is not supported within a Match block by"
                + " sluice server");
        assertThatThrownBy(() -> read("Match User x\n  MaxSessions many\n")).hasMessage(dir.resolve(
                "sshd_config") + " line 2: MaxSessions integer value invalid.");
        assertThatThrownBy(() -> read("Match User x\n  PermitOpen nohost\n"))
                .hasMessage(dir.resolve("sshd_config") + " line 2: PermitOpen bad port number");
    }
}
