package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EscapeFilterTest {
    private final ByteArrayOutputStream messages = new ByteArrayOutputStream();
    private final List<String> done = new ArrayList<>();
    private final EscapeFilter.Actions actions = new EscapeFilter.Actions() {
        @Override
        public void disconnect() {
            done.add("disconnect");
        }

        @Override
        public void sendBreak() {
            done.add("break");
        }

        @Override
        public void rekey() {
            done.add("rekey");
        }

        @Override
        public String openChannels() {
            return "The following connections are open:\r\n  #0 client-session (session r0)\r\n";
        }
    };

    @AfterEach
    void resetLog() {
        SshLog.configure(SshLog.Level.INFO, false, System.err);
    }

    /** What reaches the session when {@code input} is typed, read in reads of {@code chunk} bytes. */
    private String filter(String input, int escape, int chunk) throws IOException {
        EscapeFilter f = new EscapeFilter(new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)),
                escape, new PrintStream(messages, true, StandardCharsets.ISO_8859_1), true, actions);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[chunk];
        int n;
        while ((n = f.read(b, 0, chunk)) >= 0) {
            assertThat(n).as("a read returns data or the end, never nothing").isPositive();
            out.write(b, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private String said() {
        return messages.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void escapesCountOnlyAtTheStartOfALine() throws IOException {
        assertThat(filter("a~.b\n", '~', 64)).isEqualTo("a~.b\n");
        assertThat(done).isEmpty();
    }

    @Test
    void tildeDotShouldDisconnectAndEndTheInput() throws IOException {
        assertThat(filter("ls\n~.after", '~', 64)).isEqualTo("ls\n");
        assertThat(done).containsExactly("disconnect");
        assertThat(said()).isEmpty();
    }

    @Test
    void doubledEscapeShouldSendOneAndOtherCharactersFollowTheEscape() throws IOException {
        // The last escape waits for a character that never comes, as in ssh.
        assertThat(filter("~~x\n~y\r~", '~', 1)).isEqualTo("~x\n~y\r");
        assertThat(said()).isEmpty();
    }

    @Test
    void commandsShouldLeaveTheLineStartSoTheyChain() throws IOException {
        assertThat(filter("~B~R~#~Cz", '~', 64)).isEqualTo("z");
        assertThat(done).containsExactly("break", "rekey");
        assertThat(said()).isEqualTo("~B\r\n~#\r\nThe following connections are open:\r\n"
                + "  #0 client-session (session r0)\r\ncommandline disabled\r\n");
    }

    @Test
    void helpShouldUseSshsWordsAndTheChosenCharacter() throws IOException {
        filter("\n%?", '%', 8);
        assertThat(said()).startsWith("%?\r\nSupported escape sequences:\r\n"
                + " %.   - terminate connection (and any multiplexed sessions)\r\n")
                .contains(" %V/v - decrease/increase verbosity (LogLevel)\r\n")
                .endsWith(" %%   - send the escape character by typing it twice\r\n"
                        + "(Note that escapes are only recognized immediately after newline.)\r\n");
    }

    @Test
    void verbosityShouldMoveOneLevelAndSayWhichAsSshNamesIt() throws IOException {
        SshLog.configure(SshLog.Level.VERBOSE, true, System.err);
        filter("~v~v~V", '~', 64);
        assertThat(said()).isEqualTo("~v [LogLevel DEBUG]\r\n~v [LogLevel DEBUG2]\r\n~V [LogLevel DEBUG]\r\n");
        assertThat(SshLog.level()).isEqualTo(SshLog.Level.DEBUG1);
    }

    @Test
    void escapeCharacterSyntaxShouldBeSshs() {
        assertThat(EscapeFilter.parse("~")).isEqualTo('~');
        assertThat(EscapeFilter.parse("^]")).isEqualTo(0x1d);
        assertThat(EscapeFilter.parse("none")).isEqualTo(-1);
        assertThatThrownBy(() -> EscapeFilter.parse("ab")).hasMessage("Bad escape character 'ab'.");
    }
}
