package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Key files made by Dropbear's own tools, an implementation independent of ours and of OpenSSH's: {@code dropbearkey}
 * for new keys (Dropbear's format) and {@code dropbearconvert} for OpenSSH keys that dbclient should use.
 */
public final class DropbearKeys {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    private DropbearKeys() {
    }

    /**
     * A private key in Dropbear's format with its public half.
     *
     * @param privateKey the key file, as {@code dropbear -r} and {@code dbclient -i} read it
     * @param publicKeyLine {@code type base64} without a comment (Dropbear's known_hosts reader takes no comment)
     */
    public record KeyFile(Path privateKey, String publicKeyLine) {
    }

    /**
     * Runs {@code dropbearkey -t type [-s bits] -f dir/name} and reads the public half it prints.
     *
     * @param type {@code ed25519}, {@code ecdsa} or {@code rsa}
     * @param bits the curve or modulus size, or 0 for dropbearkey's default (ECDSA 256, RSA 2048)
     */
    public static KeyFile generate(Path dir, String type, int bits, String name) throws IOException {
        Path key = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("dropbearkey", "-t", type, "-f", key.toString()));
        if (bits > 0) {
            command.addAll(List.of("-s", Integer.toString(bits)));
        }
        return new KeyFile(key, publicKeyLine(run("dropbearkey " + name, command)));
    }

    /** The public half of a Dropbear key file, as {@code dropbearkey -y} prints it (type and base64 only). */
    public static String publicKeyLine(Path dropbearKey) throws IOException {
        return publicKeyLine(run("dropbearkey -y", List.of("dropbearkey", "-y", "-f", dropbearKey.toString())));
    }

    /** Converts an (unencrypted) OpenSSH private key to Dropbear's format with {@code dropbearconvert}. */
    public static Path fromOpenSsh(Path opensshKey, Path dropbearKey) throws IOException {
        run("dropbearconvert", List.of("dropbearconvert", "openssh", "dropbear", opensshKey.toString(),
                dropbearKey.toString()));
        return dropbearKey;
    }

    private static String run(String name, List<String> command) throws IOException {
        try (ManagedProcess tool = ManagedProcess.start(name, command)) {
            if (tool.awaitExit(TOOL_TIMEOUT) != 0) {
                throw new AssertionError(name + " failed\n" + tool.describe());
            }
            return tool.stdout();
        }
    }

    /** The {@code type base64} of the key line in dropbearkey's "Public key portion is:" output. */
    private static String publicKeyLine(String output) {
        return output.lines().filter(l -> l.startsWith("ssh-") || l.startsWith("ecdsa-")).findFirst()
                .map(l -> String.join(" ", List.of(l.split(" ")).subList(0, 2)))
                .orElseThrow(() -> new AssertionError("no public key in dropbearkey's output:\n" + output));
    }
}
