package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Generates key pairs with OpenSSH's own {@code ssh-keygen}, an implementation independent of ours. */
public final class OpenSshKeys {
    private OpenSshKeys() {
    }

    /**
     * A key pair on disk.
     *
     * @param privateKey the private key file (OpenSSH format, no passphrase, mode 0600)
     * @param publicKey the {@code .pub} file next to it
     * @param publicKeyLine the public key as one authorized_keys line ({@code type base64 comment})
     */
    public record KeyPairFiles(Path privateKey, Path publicKey, String publicKeyLine) {
    }

    /** Generates an Ed25519 key pair at {@code dir/name}. */
    public static KeyPairFiles ed25519(Path dir, String name) throws IOException {
        return generate(dir, name, "ed25519", 0);
    }

    /**
     * Runs {@code ssh-keygen -t type [-b bits] -N "" -f dir/name}.
     *
     * @param bits key size for rsa and ecdsa, or 0 for ssh-keygen's default
     */
    public static KeyPairFiles generate(Path dir, String name, String type, int bits) throws IOException {
        Path key = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type));
        if (bits > 0) {
            command.add("-b");
            command.add(Integer.toString(bits));
        }
        command.addAll(List.of("-N", "", "-C", name + "@sluice-test", "-f", key.toString()));
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen " + name, command)) {
            int status = keygen.awaitExit(Duration.ofSeconds(30));
            if (status != 0) {
                throw new AssertionError("ssh-keygen failed with status " + status + "\n" + keygen.describe());
            }
        }
        Path pub = dir.resolve(name + ".pub");
        return new KeyPairFiles(key, pub, Files.readString(pub).trim());
    }
}
