package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.SshCommand.Jump;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JumpTest {
    private static final String ME = System.getProperty("user.name");

    @Test
    void hopsAreUserHostAndPortWithSshsDefaults() {
        assertThat(Jump.parseList("gw", "bad")).containsExactly(new Jump(ME, "gw", 22));
        assertThat(Jump.parseList("alice@gw:2222,bob@[::1]:22,ssh://carol@h3:23/,[2001:db8::1]", "bad"))
                .containsExactly(new Jump("alice", "gw", 2222), new Jump("bob", "::1", 22),
                        new Jump("carol", "h3", 23), new Jump(ME, "2001:db8::1", 22));
    }

    @Test
    void noneMeansNoJumpHost() {
        assertThat(Jump.parseList("none", "bad")).isEqualTo(List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gw:", "gw:0", "gw:65536", "gw:x", "@gw", "a,,b", "[::1", "[::1]x", "gw,"})
    void badHopsAreRefusedWithTheGivenWords(String spec) {
        assertThatThrownBy(() -> Jump.parseList(spec, "Invalid -J argument"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Invalid -J argument");
    }
}
