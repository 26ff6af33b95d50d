package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and starts OpenSSH {@code ssh} client processes with the options scripts need: no host-key prompts or
 * known_hosts writes, no password prompts, only the given identity, and failure (not a warning) when a forward
 * cannot be set up.
 *
 * <p>A forward is ready when its listener exists: {@link #startForwarding(Duration)} waits for every {@code -L}/{@code
 * -D} port in the kernel's socket table rather than connecting to it, since a probe connection would open a channel
 * to the target. Not thread-safe; build on one thread.
 */
public final class OpenSshClient {
    private final int port;
    private String host = "127.0.0.1";
    private String user;
    private Path identity;
    private String cipher;
    private String logLevel = "VERBOSE";
    private boolean noCommand = true;
    private final List<String> command = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private final List<String> forwards = new ArrayList<>();
    private final List<Integer> localListenPorts = new ArrayList<>();
    private final List<String> extraArgs = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();

    private OpenSshClient(int port) {
        this.port = port;
    }

    /**
     * What the installed ssh supports, as {@code ssh -Q what} lists it (e.g. {@code kex}, {@code HostKeyAlgorithms}):
     * interop tests ask the peer instead of assuming a version.
     */
    public static List<String> query(String what) {
        try (ManagedProcess q = ManagedProcess.start("ssh -Q " + what, List.of("ssh", "-Q", what))) {
            if (q.awaitExit(Duration.ofSeconds(10)) != 0) {
                throw new AssertionError("ssh -Q " + what + " failed\n" + q.describe());
            }
            return q.stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new AssertionError("ssh -Q " + what, e);
        }
    }

    /** A client for a server on {@code 127.0.0.1:port}. */
    public static OpenSshClient to(int port) {
        return new OpenSshClient(port);
    }

    /** Connects to {@code host} instead of 127.0.0.1 (a name or address, as on ssh's command line). */
    public OpenSshClient host(String host) {
        this.host = host;
        return this;
    }

    /** Logs in as {@code user} ({@code -l}); the default is the current user. */
    public OpenSshClient user(String user) {
        this.user = user;
        return this;
    }

    /** Authenticates with this private key only ({@code -i} with {@code IdentitiesOnly=yes}). */
    public OpenSshClient identity(Path privateKey) {
        this.identity = privateKey;
        return this;
    }

    /** Offers only this cipher ({@code -c}). */
    public OpenSshClient cipher(String cipher) {
        this.cipher = cipher;
        return this;
    }

    /** Sets {@code LogLevel} (QUIET, ERROR, INFO, VERBOSE, DEBUG1–3); VERBOSE by default. */
    public OpenSshClient logLevel(String level) {
        this.logLevel = level;
        return this;
    }

    /** Adds {@code -o key=value}; these come before the harness's own options, so they win (ssh keeps the first). */
    public OpenSshClient option(String key, String value) {
        options.add(key + "=" + value);
        return this;
    }

    /** Adds {@code -L 127.0.0.1:listenPort:targetHost:targetPort} and waits for its listener on start. */
    public OpenSshClient localForward(int listenPort, String targetHost, int targetPort) {
        return localForward("127.0.0.1:" + listenPort + ":" + targetHost + ":" + targetPort);
    }

    /**
     * Adds {@code -L spec} verbatim. When the spec has a numeric listen port, {@link #startForwarding} waits for it.
     */
    public OpenSshClient localForward(String spec) {
        forwards.add("-L");
        forwards.add(spec);
        listenPortOf(spec, 2);
        return this;
    }

    /** Adds {@code -R spec} verbatim (the listener is on the server; wait for it with the server's log). */
    public OpenSshClient remoteForward(String spec) {
        forwards.add("-R");
        forwards.add(spec);
        return this;
    }

    /** Adds {@code -D spec} ({@code [bind:]port}); {@link #startForwarding} waits for its listener. */
    public OpenSshClient dynamicForward(String spec) {
        forwards.add("-D");
        forwards.add(spec);
        listenPortOf(spec, 0);
        return this;
    }

    /** Runs {@code words} on the server instead of {@code -N}. */
    public OpenSshClient command(String... words) {
        noCommand = false;
        command.addAll(List.of(words));
        return this;
    }

    /** Asks for the user's shell (no command and no {@code -N}); what stdin holds is what the shell runs. */
    public OpenSshClient shell() {
        noCommand = false;
        command.clear();
        return this;
    }

    /** Adds raw command-line arguments before the destination (e.g. {@code -v}, {@code -J host}). */
    public OpenSshClient args(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** Sets an environment variable for ssh, e.g. SSH_ASKPASS or SSH_AUTH_SOCK. */
    public OpenSshClient environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** The full command line {@link #start()} runs. */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>(List.of("ssh"));
        for (String option : options) {
            line.add("-o");
            line.add(option);
        }
        for (String option : List.of("StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "BatchMode=yes",
                "IdentitiesOnly=yes", "ExitOnForwardFailure=yes", "LogLevel=" + logLevel)) {
            line.add("-o");
            line.add(option);
        }
        // An empty -F config keeps the machine's ~/.ssh/config and /etc/ssh/ssh_config out of the test.
        line.addAll(List.of("-F", "/dev/null", "-p", Integer.toString(port)));
        if (identity != null) {
            line.addAll(List.of("-i", identity.toString()));
        }
        if (cipher != null) {
            line.addAll(List.of("-c", cipher));
        }
        if (user != null) {
            line.addAll(List.of("-l", user));
        }
        if (noCommand) {
            line.add("-N");
        }
        line.addAll(forwards);
        line.addAll(extraArgs);
        line.add(host);
        line.addAll(command);
        return line;
    }

    /** Starts ssh and returns at once. */
    public ManagedProcess start() throws IOException {
        return ManagedProcess.start("ssh->" + port, commandLine(), environment, null);
    }

    /**
     * Starts ssh and waits until every {@code -L} and {@code -D} listener with a known port is listening.
     *
     * @throws AssertionError if ssh exits first (e.g. authentication or forward setup failed) or on timeout; the
     *     process is closed then
     */
    public ManagedProcess startForwarding(Duration timeout) throws IOException {
        ManagedProcess ssh = start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int listenPort : localListenPorts) {
                TcpPorts.awaitListening(listenPort, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), ssh);
            }
            return ssh;
        } catch (AssertionError | RuntimeException e) {
            ssh.close();
            throw e;
        }
    }

    /**
     * Records the listen port of a forward spec: the field {@code fromEnd} places before the last one
     * ({@code [bind:]port:host:hostport} for -L, {@code [bind:]port} for -D). Unix-socket specs have none.
     */
    private void listenPortOf(String spec, int fromEnd) {
        List<String> fields = splitSpec(spec);
        int index = fields.size() - 1 - fromEnd;
        if (index >= 0 && fields.get(index).matches("\\d+")) {
            localListenPorts.add(Integer.parseInt(fields.get(index)));
        }
    }

    /** Splits a forward spec on colons outside {@code [...]} (IPv6 addresses are bracketed). */
    public static List<String> splitSpec(String spec) {
        List<String> fields = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean bracket = false;
        for (char c : spec.toCharArray()) {
            if (c == '[') {
                bracket = true;
            } else if (c == ']') {
                bracket = false;
            } else if (c == ':' && !bracket) {
                fields.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        fields.add(current.toString());
        return fields;
    }
}
