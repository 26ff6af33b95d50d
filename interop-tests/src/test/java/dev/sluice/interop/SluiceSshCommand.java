package dev.sluice.interop;

import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.TcpPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code sluice ssh} as a separate process, the way a user runs {@code ./sluice ssh -N -L …} (see
 * {@link SluiceCli}). Options as a script gives them to OpenSSH's ssh: strict host key checking against a
 * known_hosts file, batch mode, only the given identity, and failure when a forward cannot be set up.
 */
final class SluiceSshCommand {
    private final int port;
    private Path identity;
    private Path knownHosts;
    private String cipher;
    private String logLevel = "INFO";
    private final List<String> forwards = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private final List<Integer> listenPorts = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();
    private String user = System.getProperty("user.name");
    /** Null for -N; otherwise the words after the destination (empty: a shell). */
    private List<String> session;

    private SluiceSshCommand(int port) {
        this.port = port;
    }

    /** A {@code sluice ssh} to {@code 127.0.0.1:port}. */
    static SluiceSshCommand to(int port) {
        return new SluiceSshCommand(port);
    }

    SluiceSshCommand identity(Path privateKey) {
        this.identity = privateKey;
        return this;
    }

    /** The known_hosts file to check the server's key against, strictly. */
    SluiceSshCommand knownHosts(Path file) {
        this.knownHosts = file;
        return this;
    }

    SluiceSshCommand cipher(TunnelCipher cipher) {
        this.cipher = cipher.wireName;
        return this;
    }

    SluiceSshCommand logLevel(String level) {
        this.logLevel = level;
        return this;
    }

    /** Adds {@code -L 127.0.0.1:listenPort:host:hostPort}. */
    SluiceSshCommand localForward(int listenPort, String host, int hostPort) {
        forwards.add("-L");
        forwards.add(TcpPorts.loopback().getHostAddress() + ":" + listenPort + ":" + host + ":" + hostPort);
        listenPorts.add(listenPort);
        return this;
    }

    /**
     * Adds {@code -o keyword=value}; these come before the script defaults, so they win (e.g. BatchMode=no): sluice
     * ssh, like ssh, keeps the first value of a keyword.
     */
    SluiceSshCommand option(String keyword, String value) {
        options.addAll(List.of("-o", keyword + "=" + value));
        return this;
    }

    SluiceSshCommand user(String name) {
        this.user = name;
        return this;
    }

    /** Sets an environment variable for the process, e.g. SSH_ASKPASS or SSH_AUTH_SOCK. */
    SluiceSshCommand environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Adds raw arguments before the destination, e.g. {@code -L [::1]:port:host:hostport}. */
    SluiceSshCommand args(String... args) {
        forwards.addAll(List.of(args));
        return this;
    }

    /** Adds {@code -R spec} verbatim (the listener is on the server). */
    SluiceSshCommand remoteForward(String spec) {
        forwards.add("-R");
        forwards.add(spec);
        return this;
    }

    /** Adds {@code -J spec}: jump hosts, e.g. {@code user@127.0.0.1:2222,127.0.0.1:2223}. */
    SluiceSshCommand jump(String spec) {
        forwards.add("-J");
        forwards.add(spec);
        return this;
    }

    /** Adds {@code -D 127.0.0.1:listenPort}: a SOCKS server there. */
    SluiceSshCommand dynamicForward(int listenPort) {
        forwards.add("-D");
        forwards.add(TcpPorts.loopback().getHostAddress() + ":" + listenPort);
        listenPorts.add(listenPort);
        return this;
    }

    /** Runs {@code words} as the remote command instead of {@code -N}; no words asks for a shell. */
    SluiceSshCommand command(String... words) {
        session = List.of(words);
        return this;
    }

    /** The listen port of forward number {@code n} (0-based). */
    int listenPort(int n) {
        return listenPorts.get(n);
    }

    List<String> commandLine() {
        List<String> line = new ArrayList<>(SluiceCli.command("ssh"));
        if (session == null) {
            line.add("-N");
        }
        line.addAll(options);
        line.addAll(List.of("-p", Integer.toString(port),
                "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "IdentitiesOnly=yes",
                "-o", "LogLevel=" + logLevel));
        if (knownHosts != null) {
            line.addAll(List.of("-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts));
        }
        if (identity != null) {
            line.addAll(List.of("-i", identity.toString()));
        }
        if (cipher != null) {
            line.addAll(List.of("-c", cipher));
        }
        line.addAll(forwards);
        line.add(user + "@" + TcpPorts.loopback().getHostAddress());
        if (session != null) {
            line.addAll(session);
        }
        return line;
    }

    /** Starts the process and returns at once. */
    ManagedProcess start() throws IOException {
        return ManagedProcess.start("sluice ssh->" + port, commandLine(), environment, null);
    }

    /**
     * Starts the process and waits until every forward listens.
     *
     * @throws AssertionError if it exits first (authentication, host key or forward failure) or on timeout
     */
    ManagedProcess startForwarding(Duration timeout) throws IOException {
        ManagedProcess process = start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int listen : listenPorts) {
                TcpPorts.awaitListening(listen, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), process);
            }
            return process;
        } catch (AssertionError | RuntimeException e) {
            process.close();
            throw e;
        }
    }
}
