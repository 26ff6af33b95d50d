package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and starts PuTTY's command-line client, {@code plink}, for scripts: {@code -batch} (no prompts: anything
 * that would ask fails), the host key pinned with {@code -hostkey} (its SHA-256 fingerprint), one {@code .ppk}
 * identity, no Pageant and no connection sharing.
 *
 * <p>plink has no command-line option for algorithms; PuTTY reads them from a saved session. So each client gets a
 * private {@code HOME} with {@code ~/.putty/sessions/sluice-test} naming the algorithm groups to prefer (PuTTY's
 * ids, e.g. {@code ecdh}, {@code aesgcm}, {@code rsa}), each list ending in {@code WARN}: PuTTY appends the groups a
 * list leaves out after it, and in batch mode it refuses whatever would be negotiated below that line. The server
 * decides the exact wire name within a group. Not thread-safe; build on one thread.
 */
public final class PlinkClient {
    private static final String SESSION = "sluice-test";

    private final int port;
    private Path home;
    private String hostKeyFingerprint;
    private Path identity;
    private String user = System.getProperty("user.name");
    private boolean compression;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private boolean noCommand = true;
    private final List<String> command = new ArrayList<>();
    private final List<String> forwards = new ArrayList<>();
    private final List<Integer> localListenPorts = new ArrayList<>();

    private PlinkClient(int port) {
        this.port = port;
    }

    /** A client for a server on {@code 127.0.0.1:port}. */
    public static PlinkClient to(int port) {
        return new PlinkClient(port);
    }

    /** The directory used as {@code HOME}, where the saved session (and PuTTY's host key cache) go. Required. */
    public PlinkClient home(Path directory) {
        this.home = directory;
        return this;
    }

    /** The only host key accepted ({@code -hostkey}), as {@code ssh-keygen -l} prints it: {@code SHA256:…}. */
    public PlinkClient hostKey(String fingerprint) {
        this.hostKeyFingerprint = fingerprint;
        return this;
    }

    /** Authenticates with this PuTTY private key ({@code -i}; see {@link PuttyKeys#ppkFromOpenSsh}). */
    public PlinkClient identity(Path ppk) {
        this.identity = ppk;
        return this;
    }

    /** Logs in as {@code name} ({@code -l}); the default is the current user. */
    public PlinkClient user(String name) {
        this.user = name;
        return this;
    }

    /** Prefers this key exchange group: PuTTY's KEX id, e.g. {@code ecdh}, {@code dh-gex-sha1}. */
    public PlinkClient kex(String puttyId) {
        settings.put("KEX", puttyId + ",WARN");
        return this;
    }

    /** Prefers this cipher group: PuTTY's id, e.g. {@code aes}, {@code aesgcm}, {@code chacha20}. */
    public PlinkClient cipher(String puttyId) {
        settings.put("Cipher", puttyId + ",WARN");
        return this;
    }

    /** Prefers this host key type: PuTTY's id, e.g. {@code ed25519}, {@code ecdsa}, {@code rsa}. */
    public PlinkClient hostKeyType(String puttyId) {
        settings.put("HostKey", puttyId + ",WARN");
        return this;
    }

    /** Asks for compression ({@code -C}). */
    public PlinkClient compression() {
        this.compression = true;
        return this;
    }

    /** Adds {@code -L 127.0.0.1:listenPort:targetHost:targetPort}; {@link #startForwarding} waits for it. */
    public PlinkClient localForward(int listenPort, String targetHost, int targetPort) {
        forwards.addAll(List.of("-L", "127.0.0.1:" + listenPort + ":" + targetHost + ":" + targetPort));
        localListenPorts.add(listenPort);
        return this;
    }

    /** Runs {@code words} on the server instead of {@code -N}. */
    public PlinkClient command(String... words) {
        noCommand = false;
        command.addAll(List.of(words));
        return this;
    }

    /** The full command line {@link #start()} runs. */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>(List.of("plink", "-load", SESSION, "-ssh", "-batch", "-v", "-noagent",
                "-noshare", "-P", Integer.toString(port), "-l", user));
        if (hostKeyFingerprint != null) {
            line.addAll(List.of("-hostkey", hostKeyFingerprint));
        }
        if (identity != null) {
            line.addAll(List.of("-i", identity.toString()));
        }
        if (compression) {
            line.add("-C");
        }
        if (noCommand) {
            line.add("-N");
        }
        line.addAll(forwards);
        line.add("127.0.0.1");
        line.addAll(command);
        return line;
    }

    /** Writes the saved session, starts plink and returns at once. */
    public ManagedProcess start() throws IOException {
        if (home == null) {
            throw new IllegalStateException("plink needs a HOME for its saved session");
        }
        Path sessions = Files.createDirectories(home.resolve(".putty").resolve("sessions"));
        List<String> lines = new ArrayList<>();
        settings.forEach((key, value) -> lines.add(key + "=" + value));
        Files.write(sessions.resolve(SESSION), lines);
        return ManagedProcess.start("plink->" + port, commandLine(), Map.of("HOME", home.toString()), null);
    }

    /**
     * Starts plink and waits until every {@code -L} listener is listening.
     *
     * @throws AssertionError if plink exits first (host key, authentication or algorithm refusal) or on timeout;
     *     the process is closed then
     */
    public ManagedProcess startForwarding(Duration timeout) throws IOException {
        ManagedProcess plink = start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int listenPort : localListenPorts) {
                TcpPorts.awaitListening(listenPort, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                        plink);
            }
            return plink;
        } catch (AssertionError | RuntimeException e) {
            plink.close();
            throw e;
        }
    }
}
