package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GetoptTest {

    @Test
    void clustersFlagsAndTakesAttachedOrSeparateArguments() throws Exception {
        Getopt g = new Getopt("Nvp:L:", List.of(), new String[] {"-Nv", "-p2222", "-L", "1:h:2", "host", "-x"});
        assertThat(g.options()).containsExactly(new Getopt.Option("N", null), new Getopt.Option("v", null),
                new Getopt.Option("p", "2222"), new Getopt.Option("L", "1:h:2"));
        assertThat(g.operands()).containsExactly("host", "-x");
    }

    @Test
    void longOptionsTakeAnArgumentEitherWay() throws Exception {
        Getopt g = new Getopt("p:", List.of("bind"), new String[] {"--bind=::1", "--bind", "127.0.0.1"});
        assertThat(g.options()).extracting(Getopt.Option::argument).containsExactly("::1", "127.0.0.1");
    }

    @Test
    void speaksGetoptsWordsOnErrors() {
        assertThatThrownBy(() -> new Getopt("N", List.of(), new String[] {"-x"}))
                .hasMessage("unknown option -- x");
        assertThatThrownBy(() -> new Getopt("p:", List.of(), new String[] {"-p"}))
                .hasMessage("option requires an argument -- p");
        assertThatThrownBy(() -> new Getopt("p:", List.of(), new String[] {"--port", "1"}))
                .hasMessage("unrecognized option '--port'");
    }

    @Test
    void doubleDashEndsOptions() throws Exception {
        Getopt g = new Getopt("N", List.of(), new String[] {"--", "-N"});
        assertThat(g.options()).isEmpty();
        assertThat(g.operands()).containsExactly("-N");
    }
}
