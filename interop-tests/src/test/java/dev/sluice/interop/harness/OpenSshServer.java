package dev.sluice.interop.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private OpenSSH server ({@code /usr/sbin/sshd -D -e}) on a free loopback port, configured from scratch in a
 * temporary directory: its own Ed25519 host key, authorized_keys, sshd_config and pid file. No system service is
 * involved, and nothing outside the directory and {@code /run/sshd} is touched.
 *
 * <p>sshd logs to stderr (captured; see {@link #log()}) at VERBOSE by default, which includes accepted keys and
 * forwarding decisions; DEBUG adds per-channel detail. The account is the current user: sshd reads authorized_keys
 * as that user, so the directory is made world-readable.
 *
 * <h3>Config precedence</h3>
 * sshd keeps the <em>first</em> value it reads for most keywords, so {@linkplain Builder#config extra lines} are
 * written before the defaults and override them; a {@code Match} block and everything after it goes at the end, as
 * sshd requires.
 */
public final class OpenSshServer implements AutoCloseable {
    /** Where Debian installs sshd; it must be started by absolute path (it re-executes itself). */
    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int BIND_ATTEMPTS = 3;

    private final Path directory;
    private final Path hostKey;
    private final String hostPublicKeyLine;
    private final Path configFile;
    private final int port;
    private final ManagedProcess sshd;

    private OpenSshServer(Path directory, Path hostKey, String hostPublicKeyLine, Path configFile, int port,
            ManagedProcess sshd) {
        this.directory = directory;
        this.hostKey = hostKey;
        this.hostPublicKeyLine = hostPublicKeyLine;
        this.configFile = configFile;
        this.port = port;
        this.sshd = sshd;
    }

    /** Starts a server that accepts the given public key lines, with extra sshd_config lines. */
    public static OpenSshServer start(List<String> authorizedKeys, String... extraConfig) throws IOException {
        Builder builder = builder();
        authorizedKeys.forEach(builder::authorizedKey);
        for (String line : extraConfig) {
            builder.config(line);
        }
        return builder.start();
    }

    /** A builder for a server with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The loopback port sshd listens on. */
    public int port() {
        return port;
    }

    /** The host public key as one line ({@code ssh-ed25519 AAAA… comment}). */
    public String hostPublicKeyLine() {
        return hostPublicKeyLine;
    }

    /** A known_hosts line for this server: {@code [127.0.0.1]:PORT type key}. */
    public String knownHostsLine() {
        String[] parts = hostPublicKeyLine.split(" ");
        return "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1];
    }

    /** The host private key file (OpenSSH format, Ed25519). */
    public Path hostKeyPath() {
        return hostKey;
    }

    /** The generated sshd_config. */
    public Path configFile() {
        return configFile;
    }

    /** The temporary directory holding keys, config and pid file; deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** What sshd has logged so far. */
    public String log() {
        return sshd.stderr();
    }

    /** Waits until sshd logs {@code needle} and returns the line. */
    public String awaitLog(String needle, Duration timeout) {
        return sshd.awaitStderr(needle, timeout);
    }

    /** The sshd listener process (its per-connection children are its descendants). */
    public ManagedProcess process() {
        return sshd;
    }

    /** Stops sshd and every per-connection child, and deletes the directory. */
    @Override
    public void close() {
        sshd.close();
        deleteRecursively(directory);
    }

    static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** Collects authorized keys, config lines and the log level, then starts sshd. */
    public static final class Builder {
        private final List<String> authorizedKeys = new ArrayList<>();
        private final List<String> extraConfig = new ArrayList<>();
        private String logLevel = "VERBOSE";
        private String hostKeyType = "ed25519";
        private int hostKeyBits;

        private Builder() {
        }

        /** The host key's type and size, as {@code ssh-keygen -t type -b bits} (0: its default); ed25519 if unset. */
        public Builder hostKey(String type, int bits) {
            this.hostKeyType = type;
            this.hostKeyBits = bits;
            return this;
        }

        /** Adds a line to authorized_keys (options allowed, e.g. {@code permitopen="…" ssh-ed25519 …}). */
        public Builder authorizedKey(String line) {
            authorizedKeys.add(line);
            return this;
        }

        /** Adds an sshd_config line, e.g. {@code Ciphers aes128-gcm@openssh.com}; overrides the defaults. */
        public Builder config(String line) {
            extraConfig.add(line);
            return this;
        }

        /** Sets sshd's LogLevel: INFO, VERBOSE or DEBUG1–3 (not lower: readiness is read from an INFO line). */
        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        /** Writes the files and starts sshd, waiting until it listens. */
        public OpenSshServer start() throws IOException {
            Path dir = Files.createTempDirectory("sluice-sshd-");
            try {
                return start(dir);
            } catch (IOException | RuntimeException | Error e) {
                deleteRecursively(dir);
                throw e;
            }
        }

        private OpenSshServer start(Path dir) throws IOException {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            OpenSshKeys.KeyPairFiles host = OpenSshKeys.generate(dir, "ssh_host_" + hostKeyType + "_key", hostKeyType,
                    hostKeyBits);
            Path authorized = dir.resolve("authorized_keys");
            Files.write(authorized, authorizedKeys);
            Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                // The privilege-separation chroot; created by the system service normally, which we do not use.
                Files.createDirectories(Path.of("/run/sshd"));
            } catch (IOException e) {
                // Not root: sshd then runs unprivileged without the chroot, or says clearly what is missing.
            }
            Path config = dir.resolve("sshd_config");
            AssertionError lastFailure = null;
            for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
                int port = TcpPorts.free();
                Files.write(config, configLines(dir, host.privateKey(), authorized, port));
                ManagedProcess sshd = ManagedProcess.start("sshd:" + port,
                        List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()));
                try {
                    sshd.awaitStderr("Server listening on", START_TIMEOUT);
                    return new OpenSshServer(dir, host.privateKey(), host.publicKeyLine(), config, port, sshd);
                } catch (AssertionError e) {
                    sshd.close();
                    lastFailure = e;
                    // Another process took the free port between our probe and sshd's bind: try another one.
                    if (!sshd.stderr().contains("Address already in use")) {
                        break;
                    }
                }
            }
            throw new AssertionError("sshd did not start\n" + Files.readString(config), lastFailure);
        }

        private List<String> configLines(Path dir, Path hostKey, Path authorized, int port) {
            List<String> lines = new ArrayList<>();
            int match = indexOfMatch(extraConfig);
            lines.addAll(extraConfig.subList(0, match));
            lines.addAll(List.of(
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "HostKey " + hostKey,
                    "AuthorizedKeysFile " + authorized,
                    "PidFile " + dir.resolve("sshd.pid"),
                    "StrictModes no",
                    "UsePAM no",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "LogLevel " + logLevel));
            lines.addAll(extraConfig.subList(match, extraConfig.size()));
            return lines;
        }

        private static int indexOfMatch(List<String> config) {
            for (int i = 0; i < config.size(); i++) {
                if (config.get(i).trim().regionMatches(true, 0, "Match ", 0, 6)) {
                    return i;
                }
            }
            return config.size();
        }
    }
}
