package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizedKeysTest {
    private static final SshPublicKey A = SshKeyPair.generateEd25519("").publicKey();
    private static final SshPublicKey B = SshKeyPair.generateEd25519("").publicKey();
    private static final SshPublicKey C = SshKeyPair.generateEd25519("").publicKey();

    @TempDir
    Path tmp;

    private static String rsaLine() throws Exception {
        return Files.readString(SshKeygen.resource("rsa.pub")).strip();
    }

    private String sample() throws Exception {
        return "# Comments are allowed at start of line. Blank lines are allowed.\n"
                + "\n"
                + "   # an indented comment\n"
                + "command=\"echo a, b\",no-pty " + A.toOpenSshLine("first key") + "\n"
                + "restrict,command=\"say \\\"hi there\\\"\",permitopen=\"192.0.2.1:80\" " + B.toOpenSshLine(null) + "\n"
                + rsaLine() + "\n"
                + "no-pty,from=\"*.example.com,!bad.example.com\" " + rsaLine() + "\n"
                + "bad\"opt " + A.toOpenSshLine(null) + "\n"
                + "ssh-ed25519 AAAAnotbase64!! broken\n"
                + "ssh-ed25519 " + B.toOpenSshLine(null).split(" ")[1].substring(0, 20) + " truncated blob\n"
                + "  \t" + C.toOpenSshLine("spaced   comment") + "  \r\n";
    }

    @Test
    void shouldParseOptionsCommentsAndSkipWhatItCannotUse() throws Exception {
        AuthorizedKeys keys = AuthorizedKeys.parse(null, sample());
        SshPublicKey rsa = PublicKeys.parseLine(rsaLine());

        assertThat(keys.entries()).containsExactly(
                new AuthorizedKeys.Entry(List.of("command=\"echo a, b\"", "no-pty"), A, "first key", 4),
                new AuthorizedKeys.Entry(List.of("restrict", "command=\"say \\\"hi there\\\"\"",
                        "permitopen=\"192.0.2.1:80\""), B, "", 5),
                new AuthorizedKeys.Entry(List.of(), rsa, "rsa", 6),
                new AuthorizedKeys.Entry(List.of("no-pty", "from=\"*.example.com,!bad.example.com\""), rsa, "rsa", 7),
                new AuthorizedKeys.Entry(List.of(), C, "spaced   comment", 11));
        assertThat(keys.find(B)).map(AuthorizedKeys.Entry::line).contains(5);
        assertThat(keys.find(SshKeyPair.generateEd25519("").publicKey())).isEmpty();
    }

    @Test
    void shouldFindTheSameKeysAsSshKeygen() throws Exception {
        Path file = tmp.resolve("authorized_keys");
        Files.writeString(file, sample());
        List<String> ours = AuthorizedKeys.read(file).entries().stream()
                .map(e -> e.key().fingerprint()).collect(Collectors.toList());
        // ssh-keygen -l lists every key line it can parse, options or not.
        List<String> theirs = new ArrayList<>();
        for (String line : SshKeygen.runOk("-l", "-f", file.toString()).split("\n")) {
            if (line.endsWith("(ED25519)") || line.endsWith("(RSA)")) {
                theirs.add(line.split(" ")[1]);
            }
        }
        String rsa = PublicKeys.parseLine(rsaLine()).fingerprint();
        assertThat(ours).containsExactly(A.fingerprint(), B.fingerprint(), rsa, rsa, C.fingerprint())
                .isEqualTo(theirs);
    }

    @Test
    void missingFileShouldHaveNoKeys() throws Exception {
        AuthorizedKeys keys = AuthorizedKeys.read(tmp.resolve("nope"));
        assertThat(keys.entries()).isEmpty();
        assertThat(keys.find(A)).isEmpty();
    }

    @Test
    void emptyOptionsShouldInvalidateTheLine() {
        assertThat(AuthorizedKeys.parse(null, "no-pty,," + A.toOpenSshLine(null).replace("ssh-ed25519", " ssh-ed25519"))
                .entries()).isEmpty();
    }

    @Property(tries = 300)
    void optionListsShouldSurviveJoiningAndParsing(@ForAll("options") @Size(min = 1, max = 5) List<String> options) {
        String line = String.join(",", options) + " " + A.toOpenSshLine("c");
        assertThat(AuthorizedKeys.parse(null, line).entries())
                .containsExactly(new AuthorizedKeys.Entry(options, A, "c", 1));
    }

    @Provide
    Arbitrary<List<String>> options() {
        Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> quotedValue = Arbitraries.strings().withCharRange('a', 'z')
                .withChars(' ', ',', '\t', '*', ':', '!', '=').withChars("\\\"".toCharArray()).ofMaxLength(20)
                .map(v -> v.replace("\\", "").replace("\"", "\\\""));
        Arbitrary<String> option = Arbitraries.oneOf(name,
                net.jqwik.api.Combinators.combine(name, quotedValue).as((n, v) -> n + "=\"" + v + "\""));
        return option.list();
    }
}
