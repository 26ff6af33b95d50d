package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** PuTTY's key files, made with PuTTY's own {@code puttygen} from OpenSSH keys. */
public final class PuttyKeys {
    private PuttyKeys() {
    }

    /** Converts an (unencrypted) OpenSSH private key into a PuTTY {@code .ppk} file (version 3, no passphrase). */
    public static Path ppkFromOpenSsh(Path opensshKey, Path ppk) throws IOException {
        List<String> command = List.of("puttygen", opensshKey.toString(), "-O", "private", "-o", ppk.toString());
        try (ManagedProcess puttygen = ManagedProcess.start("puttygen " + opensshKey.getFileName(), command)) {
            if (puttygen.awaitExit(Duration.ofSeconds(30)) != 0) {
                throw new AssertionError("puttygen failed\n" + puttygen.describe());
            }
        }
        return ppk;
    }
}
