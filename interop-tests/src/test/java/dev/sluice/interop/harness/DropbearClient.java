package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds and starts Dropbear's client, {@code dbclient}, for scripts: the server's host key pinned in a known_hosts
 * file of a private {@code HOME} (dbclient has no option for the file; it reads {@code $HOME/.ssh/known_hosts}), one
 * identity in Dropbear's format, and failure when a forward cannot be set up.
 *
 * <p>dbclient names the known_hosts entry by host alone, without the port, and reads the key up to the end of the
 * line, so the entry is {@code 127.0.0.1 type base64} with no comment. With the key pinned, any other key fails the
 * connection ("host key mismatch"); without an entry dbclient would prompt, and with no terminal it gives up. Not
 * thread-safe; build on one thread.
 */
public final class DropbearClient {
    private final int port;
    private Path home;
    private String knownHostKey;
    private Path identity;
    private String user;
    private String cipher;
    private String mac;
    private boolean noCommand = true;
    private final List<String> command = new ArrayList<>();
    private final List<String> forwards = new ArrayList<>();
    private final List<Integer> localListenPorts = new ArrayList<>();

    private DropbearClient(int port) {
        this.port = port;
    }

    /** A client for a server on {@code 127.0.0.1:port}. */
    public static DropbearClient to(int port) {
        return new DropbearClient(port);
    }

    /** The directory used as {@code HOME}; {@code .ssh/known_hosts} is written there. Required. */
    public DropbearClient home(Path directory) {
        this.home = directory;
        return this;
    }

    /** Pins the server's host key ({@code type base64 [comment]}); required, since dbclient cannot prompt here. */
    public DropbearClient knownHostKey(String publicKeyLine) {
        this.knownHostKey = publicKeyLine;
        return this;
    }

    /** Authenticates with this private key ({@code -i}, Dropbear's format: see {@link DropbearKeys#fromOpenSsh}). */
    public DropbearClient identity(Path dropbearKey) {
        this.identity = dropbearKey;
        return this;
    }

    /** Logs in as {@code user} ({@code -l}); the default is the current user. */
    public DropbearClient user(String name) {
        this.user = name;
        return this;
    }

    /** Offers only this cipher ({@code -c}). */
    public DropbearClient cipher(String name) {
        this.cipher = name;
        return this;
    }

    /** Offers only this MAC ({@code -m}). */
    public DropbearClient mac(String name) {
        this.mac = name;
        return this;
    }

    /** Adds {@code -L 127.0.0.1:listenPort:targetHost:targetPort}; {@link #startForwarding} waits for it. */
    public DropbearClient localForward(int listenPort, String targetHost, int targetPort) {
        forwards.addAll(List.of("-L", "127.0.0.1:" + listenPort + ":" + targetHost + ":" + targetPort));
        localListenPorts.add(listenPort);
        return this;
    }

    /** Runs {@code words} on the server instead of {@code -N}. */
    public DropbearClient command(String... words) {
        noCommand = false;
        command.addAll(List.of(words));
        return this;
    }

    /** The full command line {@link #start()} runs. */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>(List.of("dbclient", "-p", Integer.toString(port), "-T",
                "-o", "ExitOnForwardFailure=yes"));
        if (identity != null) {
            line.addAll(List.of("-i", identity.toString()));
        }
        if (user != null) {
            line.addAll(List.of("-l", user));
        }
        if (cipher != null) {
            line.addAll(List.of("-c", cipher));
        }
        if (mac != null) {
            line.addAll(List.of("-m", mac));
        }
        if (noCommand) {
            line.add("-N");
        }
        line.addAll(forwards);
        line.add("127.0.0.1");
        line.addAll(command);
        return line;
    }

    /** Writes the known_hosts file, starts dbclient and returns at once. */
    public ManagedProcess start() throws IOException {
        if (home == null || knownHostKey == null) {
            throw new IllegalStateException("dbclient needs a HOME and a pinned host key");
        }
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        String[] key = knownHostKey.trim().split(" ");
        Files.writeString(ssh.resolve("known_hosts"), "127.0.0.1 " + key[0] + " " + key[1] + "\n");
        return ManagedProcess.start("dbclient->" + port, commandLine(), Map.of("HOME", home.toString()), null);
    }

    /**
     * Starts dbclient and waits until every {@code -L} listener is listening.
     *
     * @throws AssertionError if dbclient exits first (e.g. host key, authentication or forward failure) or on
     *     timeout; the process is closed then
     */
    public ManagedProcess startForwarding(Duration timeout) throws IOException {
        ManagedProcess dbclient = start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int listenPort : localListenPorts) {
                TcpPorts.awaitListening(listenPort, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                        dbclient);
            }
            return dbclient;
        } catch (AssertionError | RuntimeException e) {
            dbclient.close();
            throw e;
        }
    }
}
