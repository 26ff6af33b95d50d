package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.key.KnownHosts.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsTest {
    private static final Pattern FOUND = Pattern.compile("^# Host \\S+ found: line (\\d+)", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private static SshPublicKey pub(String resource) throws Exception {
        return PublicKeys.parseLine(Files.readString(SshKeygen.resource(resource)));
    }

    /** host, port, key file, status, line in known_hosts, line in known_hosts_hashed, key type on that line. */
    private static Object[][] cases() {
        String k1 = "id_ed25519.pub";
        String k2 = "id_ed25519_secret.pub";
        String revoked = "id_ed25519_gcm.pub";
        return new Object[][] {
            {"example.com", 22, k1, Status.MATCH, 3, 3, "ssh-ed25519"},
            {"192.0.2.10", 22, k1, Status.MATCH, 3, 4, "ssh-ed25519"},
            {"example.com", 22, k2, Status.MISMATCH, 3, 3, "ssh-ed25519"},
            {"alt.example", 2222, k1, Status.MATCH, 4, 5, "ssh-ed25519"},
            {"ALT.Example", 2222, k1, Status.MATCH, 4, 5, "ssh-ed25519"},
            {"alt.example", 22, k1, Status.NOT_FOUND, 0, 0, null},
            {"a.wild.example", 22, k2, Status.MATCH, 5, 6, "ssh-ed25519"},
            {"bad.wild.example", 22, k2, Status.NOT_FOUND, 0, 0, null},
            {"host1.example", 22, k1, Status.MISMATCH, 6, 7, "ssh-rsa"},
            {"host12.example", 22, k1, Status.NOT_FOUND, 0, 0, null},
            {"MIXED.example.org", 22, k2, Status.MATCH, 7, 8, "ssh-ed25519"},
            {"changed.example", 22, k1, Status.MATCH, 8, 9, "ssh-ed25519"},
            {"changed.example", 22, k2, Status.MISMATCH, 9, 10, "ssh-rsa"},
            {"example.com", 22, revoked, Status.REVOKED, 10, 11, "ssh-ed25519"},
            {"nowhere.test", 4242, revoked, Status.REVOKED, 10, 11, "ssh-ed25519"},
            {"x.example", 22, k2, Status.NOT_FOUND, 0, 0, null},
            {"192.0.2.21", 2200, k2, Status.MATCH, 12, 14, "ssh-ed25519"},
            {"192.0.2.21", 22, k2, Status.NOT_FOUND, 0, 0, null},
            {"notakey.example", 22, k1, Status.NOT_FOUND, 0, 0, null},
            {"other.example", 22, k1, Status.NOT_FOUND, 0, 0, null},
        };
    }

    @Test
    void plainAndSshKeygenHashedFilesShouldGiveTheSameVerdicts() throws Exception {
        KnownHosts plain = KnownHosts.read(SshKeygen.resource("known_hosts"));
        KnownHosts hashed = KnownHosts.read(SshKeygen.resource("known_hosts_hashed"));
        for (Object[] c : cases()) {
            String host = (String) c[0];
            int port = (Integer) c[1];
            SshPublicKey key = pub((String) c[2]);
            String what = host + ":" + port + " " + c[2];
            assertThat(plain.check(host, port, key)).as(what).isEqualTo(
                    new KnownHosts.Result((Status) c[3], plain.file(), (Integer) c[4], (String) c[6]));
            assertThat(hashed.check(host, port, key)).as(what + " (hashed)").isEqualTo(
                    new KnownHosts.Result((Status) c[3], hashed.file(), (Integer) c[5], (String) c[6]));
        }
    }

    @Test
    void matchingLinesShouldAgreeWithSshKeygenF() throws Exception {
        for (String file : new String[] {"known_hosts", "known_hosts_hashed"}) {
            Path path = SshKeygen.resource(file);
            KnownHosts kh = KnownHosts.read(path);
            for (Object[] c : cases()) {
                String host = ((String) c[0]).toLowerCase(java.util.Locale.ROOT);
                if (host.equals("notakey.example")) {
                    continue; // ssh-keygen -F lists lines without parsing their keys; we drop invalid lines
                }
                int port = (Integer) c[1];
                String name = KnownHosts.hostKeyName(host, port);
                assertThat(kh.matchingLines(host, port)).as(file + " " + name)
                        .isEqualTo(sshKeygenFind(path, name));
            }
        }
    }

    @Test
    void appendShouldCreateA0700DirectoryAndALineSshKeygenFinds() throws Exception {
        SshPublicKey key = SshKeyPair.generateEd25519("").publicKey();
        Path file = tmp.resolve("home/.ssh/known_hosts");
        KnownHosts.append(file, "New.Example", 22, key);
        KnownHosts.append(file, "new.example", 2022, key, true);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("new.example " + key.toOpenSshLine(null));
        assertThat(lines.get(1)).startsWith("|1|").endsWith(" " + key.toOpenSshLine(null));
        KnownHosts kh = KnownHosts.read(file);
        assertThat(kh.check("new.example", 22, key).status()).isEqualTo(Status.MATCH);
        assertThat(kh.check("new.example", 2022, key)).isEqualTo(new KnownHosts.Result(Status.MATCH, file, 2,
                "ssh-ed25519"));
        assertThat(sshKeygenFind(file, "new.example")).containsExactly(1);
        assertThat(sshKeygenFind(file, "[new.example]:2022")).containsExactly(2);
    }

    @Test
    void appendShouldNotMergeIntoALastLineWithoutNewline() throws Exception {
        SshPublicKey key = pub("id_ed25519.pub");
        Path file = tmp.resolve("known_hosts");
        Files.writeString(file, "a.example " + key.toOpenSshLine(null));
        KnownHosts.append(file, "b.example", 22, key);
        KnownHosts kh = KnownHosts.read(file);
        assertThat(kh.check("a.example", 22, key).line()).isEqualTo(1);
        assertThat(kh.check("b.example", 22, key).line()).isEqualTo(2);
    }

    @Test
    void missingFileShouldKnowNoHosts() throws Exception {
        KnownHosts kh = KnownHosts.read(tmp.resolve("absent"));
        assertThat(kh.check("h", 22, pub("id_ed25519.pub")).status()).isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void globShouldFollowOpenSshPatterns() {
        assertThat(HostPatterns.matchGlob("", "*")).isTrue();
        assertThat(HostPatterns.matchGlob("", "?")).isFalse();
        assertThat(HostPatterns.matchGlob("abc", "a*c")).isTrue();
        assertThat(HostPatterns.matchGlob("abc", "a?c")).isTrue();
        assertThat(HostPatterns.matchGlob("abcd", "a?c")).isFalse();
        assertThat(HostPatterns.matchGlob("192.168.0.7", "192.168.0.?")).isTrue();
        assertThat(HostPatterns.matchGlob("a.b.co.uk", "*.co.uk")).isTrue();
        assertThat(HostPatterns.matchList("host3", "!host1,!host2")).isZero();
        assertThat(HostPatterns.matchList("host3", "!host1,!host2,*")).isEqualTo(1);
        assertThat(HostPatterns.matchList("host1", "*,!host1")).isEqualTo(-1);
        long start = System.nanoTime();
        assertThat(HostPatterns.matchGlob("a".repeat(5000), "*a*a*a*a*a*a*a*a*a*a*b")).isFalse();
        assertThat(System.nanoTime() - start).as("no exponential backtracking").isLessThan(2_000_000_000L);
    }

    @Property(tries = 200)
    void hashedNamesShouldMatchOnlyTheirHost(@ForAll @AlphaChars @StringLength(min = 1, max = 20) String host,
            @ForAll @IntRange(min = 1, max = 65535) int port) throws Exception {
        SshPublicKey key = pub("id_ed25519.pub");
        String name = KnownHosts.hostKeyName(host.toLowerCase(java.util.Locale.ROOT), port);
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        KnownHosts kh = KnownHosts.parse(Path.of("mem"),
                KnownHosts.hashHostName(name, salt) + " " + key.toOpenSshLine(null) + "\n");
        assertThat(kh.check(host, port, key).status()).isEqualTo(Status.MATCH);
        assertThat(kh.check(host + "x", port, key).status()).isEqualTo(Status.NOT_FOUND);
        assertThat(kh.check(host, port == 22 ? 23 : 22, key).status()).isEqualTo(Status.NOT_FOUND);
    }

    private static List<Integer> sshKeygenFind(Path file, String name) throws Exception {
        // Exit status 1 just means "not found".
        String out = SshKeygen.run("-F", name, "-f", file.toString()).out();
        List<Integer> lines = new ArrayList<>();
        Matcher m = FOUND.matcher(out);
        while (m.find()) {
            lines.add(Integer.parseInt(m.group(1)));
        }
        return lines;
    }
}
