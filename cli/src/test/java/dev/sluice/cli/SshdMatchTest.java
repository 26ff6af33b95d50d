package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.GatewayPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sluice server's {@code Match User/Address/LocalPort/All} blocks for the forwarding keywords: which block applies to
 * a connection, the first matching value winning over the global one, and sshd's errors for bad blocks.
 */
class SshdMatchTest {
    @TempDir
    Path dir;

    private ServerCommand.SshdConfig read(String text) throws Exception {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        c.readFile(Files.writeString(dir.resolve("sshd_config"), text));
        return c;
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

        ForwardingPolicy office = c.forwardingPolicy("intern-ann", "10.1.2.3", 22);
        assertThat(office.allowTcpForwarding()).isEqualTo(AllowTcpForwarding.LOCAL);
        assertThat(office.permitOpen().permitsOpen("wiki.internal", 443)).isTrue();
        assertThat(office.permitOpen().permitsOpen("db.internal", 5432)).isFalse();

        assertThat(c.forwardingPolicy("intern-ann", "192.0.2.7", 22).allowTcpForwarding())
                .isEqualTo(AllowTcpForwarding.NO);
        assertThat(c.forwardingPolicy("intern-lead", "10.1.2.3", 22).allowTcpForwarding())
                .as("a negated user skips the block; the next matching one counts").isEqualTo(AllowTcpForwarding.NO);
        assertThat(c.forwardingPolicy("bob", "10.1.2.3", 22).allowTcpForwarding()).isEqualTo(AllowTcpForwarding.REMOTE);
        ForwardingPolicy other = c.forwardingPolicy("alice", "::1", 2222);
        assertThat(other.gatewayPorts()).isEqualTo(GatewayPorts.CLIENTSPECIFIED);
        assertThat(other.allowTcpForwarding()).isEqualTo(AllowTcpForwarding.REMOTE);
        assertThat(c.forwardingPolicy("alice", "::1", 22).gatewayPorts()).isEqualTo(GatewayPorts.NO);
        assertThat(c.forwardingPolicy()).as("the global policy").isEqualTo(new ForwardingPolicy(
                AllowTcpForwarding.YES, false, ForwardingPolicy.DEFAULT.permitOpen(),
                ForwardingPolicy.DEFAULT.permitListen(), GatewayPorts.NO));
    }

    @Test
    void badBlocksShouldFailWithSshdsWords() {
        assertThatThrownBy(() -> read("Match User\n")).hasMessage("Missing Match criteria for User\n"
                + dir.resolve("sshd_config") + " line 1: Bad Match condition");
        assertThatThrownBy(() -> read("Match Group staff\n"))
                .hasMessageEndingWith("Unsupported Match attribute Group\n" + dir.resolve("sshd_config")
                        + " line 1: Bad Match condition");
        assertThatThrownBy(() -> read("Match User x Address\n")).hasMessageStartingWith(
                "Missing Match criteria for Address");
        assertThatThrownBy(() -> read("Match All User x\n"))
                .hasMessageStartingWith("'all' cannot be combined with other Match attributes");
        assertThatThrownBy(() -> read("Match User x\n  ForceCommand /bin/date\n")).hasMessage(dir.resolve(
                "sshd_config") + " line 2: Directive 'ForceCommand' is not supported within a Match block by"
                + " sluice server");
        assertThatThrownBy(() -> read("Match User x\n  PermitOpen nohost\n"))
                .hasMessage(dir.resolve("sshd_config") + " line 2: PermitOpen bad port number");
    }
}
