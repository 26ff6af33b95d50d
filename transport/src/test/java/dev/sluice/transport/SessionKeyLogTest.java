package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionKeyLogTest {

    @Test
    void linesShouldBeCookieAndKeyInLowerCaseHexAppendedToAnOwnerOnlyFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        byte[] cookie = new byte[16];
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (0xf0 + i);
        }
        cookie[15] = (byte) 0xab;
        SessionKeyLog.append(file, cookie, key);
        SessionKeyLog.append(file, cookie, new byte[32]);

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly(
                "000000000000000000000000000000ab f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
                "000000000000000000000000000000ab " + "0".repeat(64));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void anUnwritableFileShouldNotThrow(@TempDir Path dir) {
        SessionKeyLog.append(dir.resolve("missing-dir/keys"), new byte[16], new byte[32]);
        assertThat(dir.resolve("missing-dir")).doesNotExist();
    }
}
