package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A private Dropbear server ({@code dropbear -F -E}) on a free loopback port, with host keys made by
 * {@code dropbearkey} in a temporary directory. No system service is involved.
 *
 * <p>Dropbear has no AuthorizedKeysFile setting: it reads {@code ~user/.ssh/authorized_keys} of the account a
 * client logs in as, so tests log in as an account of their own (see {@link SystemUsers#authorizeKeys}). Password
 * logins are off ({@code -s}), so a failed publickey authentication fails the connection instead of prompting.
 * Dropbear logs to stderr (captured; see {@link #log()}): connections, accepted keys, exits.
 */
public final class DropbearServer implements AutoCloseable {
    /** Where Debian's dropbear-bin installs the server. */
    public static final Path DROPBEAR = Path.of("/usr/sbin/dropbear");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int BIND_ATTEMPTS = 3;

    private final Path directory;
    private final List<DropbearKeys.KeyFile> hostKeys;
    private final int port;
    private final ManagedProcess dropbear;

    private DropbearServer(Path directory, List<DropbearKeys.KeyFile> hostKeys, int port, ManagedProcess dropbear) {
        this.directory = directory;
        this.hostKeys = hostKeys;
        this.port = port;
        this.dropbear = dropbear;
    }

    /** A builder; at least one {@link Builder#hostKey host key} is needed. */
    public static Builder builder() {
        return new Builder();
    }

    /** The loopback port dropbear listens on. */
    public int port() {
        return port;
    }

    /** The host keys, in the order given to the builder. */
    public List<DropbearKeys.KeyFile> hostKeys() {
        return hostKeys;
    }

    /** The first host key's public half ({@code type base64}). */
    public String hostPublicKeyLine() {
        return hostKeys.get(0).publicKeyLine();
    }

    /** A known_hosts line for OpenSSH-style clients: {@code [127.0.0.1]:PORT type base64}, for the first key. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + port + " " + hostPublicKeyLine();
    }

    /** What dropbear has logged so far. */
    public String log() {
        return dropbear.stderr();
    }

    /** Waits until dropbear logs {@code needle} and returns the line. */
    public String awaitLog(String needle, Duration timeout) {
        return dropbear.awaitStderr(needle, timeout);
    }

    /** The dropbear listener process (its per-connection children are its descendants). */
    public ManagedProcess process() {
        return dropbear;
    }

    /** Stops dropbear and every per-connection child, and deletes the directory. */
    @Override
    public void close() {
        dropbear.close();
        OpenSshServer.deleteRecursively(directory);
    }

    /** Collects host key types and extra options, then starts dropbear. */
    public static final class Builder {
        private final List<String> keyTypes = new ArrayList<>();
        private final List<Integer> keyBits = new ArrayList<>();
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a host key made by {@code dropbearkey -t type [-s bits]} ({@code ed25519}, {@code ecdsa}, {@code rsa};
         * bits 0: its default). Dropbear takes at most four, and one per type (per curve for ECDSA).
         */
        public Builder hostKey(String type, int bits) {
            keyTypes.add(type);
            keyBits.add(bits);
            return this;
        }

        /** Adds raw dropbear options, e.g. {@code -W 1048576} or {@code -j}. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** Generates the host keys and starts dropbear, waiting until it listens. */
        public DropbearServer start() throws IOException {
            Path dir = Files.createTempDirectory("sluice-dropbear-");
            try {
                return start(dir);
            } catch (IOException | RuntimeException | Error e) {
                OpenSshServer.deleteRecursively(dir);
                throw e;
            }
        }

        private DropbearServer start(Path dir) throws IOException {
            List<DropbearKeys.KeyFile> keys = new ArrayList<>();
            for (int i = 0; i < keyTypes.size(); i++) {
                keys.add(DropbearKeys.generate(dir, keyTypes.get(i), keyBits.get(i),
                        "dropbear_" + keyTypes.get(i) + keyBits.get(i) + "_host_key"));
            }
            AssertionError lastFailure = null;
            for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
                int port = TcpPorts.free();
                ManagedProcess dropbear = ManagedProcess.start("dropbear:" + port, commandLine(dir, keys, port));
                try {
                    TcpPorts.awaitListening(port, START_TIMEOUT, dropbear);
                    if (!dropbear.stderr().contains("Failed listening")) {
                        return new DropbearServer(dir, List.copyOf(keys), port, dropbear);
                    }
                    dropbear.close();
                } catch (AssertionError e) {
                    dropbear.close();
                    lastFailure = e;
                    // Another process took the free port between our probe and dropbear's bind: try another one.
                    if (!dropbear.stderr().contains("Address already in use")) {
                        break;
                    }
                }
            }
            throw new AssertionError("dropbear did not start", lastFailure);
        }

        private List<String> commandLine(Path dir, List<DropbearKeys.KeyFile> keys, int port) {
            // -F: foreground, -E: log to stderr, -s: no password logins, -m: no motd.
            List<String> command = new ArrayList<>(List.of(DROPBEAR.toString(), "-F", "-E", "-s", "-m",
                    "-p", "127.0.0.1:" + port, "-P", dir.resolve("dropbear.pid").toString()));
            for (DropbearKeys.KeyFile key : keys) {
                command.addAll(List.of("-r", key.privateKey().toString()));
            }
            command.addAll(extraArgs);
            return command;
        }
    }
}
