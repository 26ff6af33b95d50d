package dev.sluice.benchmarks.peer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An SSH implementation under test, and how to start its server and its {@code -L} client with equivalent options.
 *
 * <p>Sluice is started through the repository's {@code ./sluice} launcher, exactly as users start it, so the
 * benchmark measures the JDK and JVM flags the launcher picks. Its options have OpenSSH's meanings. MINA SSHD runs in
 * small mains of this module ({@code dev.sluice.benchmarks.mina}) on the same JDK, with its default settings except
 * TCP_NODELAY (without it every handshake step waits for a delayed ACK).
 */
public enum Peer {
    OPENSSH("OpenSSH") {
        @Override
        public Server startServer(Setup setup) throws IOException {
            Path config = setup.work().resolve("sshd_config");
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Setup.freePort();
                Files.write(config, List.of(
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + setup.hostKey(),
                        "AuthorizedKeysFile " + setup.authorizedKeys(),
                        "PidFile " + setup.work().resolve("sshd.pid"),
                        "StrictModes no",
                        "UsePAM no",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "PermitRootLogin prohibit-password",
                        // INFO is the lowest level that still logs "Server listening on".
                        "LogLevel INFO"));
                PeerProcess sshd = PeerProcess.start("sshd", List.of("/usr/sbin/sshd", "-D", "-e", "-f",
                        config.toString()), setup.work());
                try {
                    sshd.awaitStderrLine(l -> l.contains("Server listening on"), STARTUP);
                    return new Server(sshd, port);
                } catch (IOException e) {
                    sshd.close();
                    last = e; // most likely the free port was taken meanwhile; try another
                }
            }
            throw last;
        }

        @Override
        public PeerProcess startClient(Setup setup, int serverPort, String cipher, String forward) throws IOException {
            return PeerProcess.start("ssh", List.of("ssh", "-F", "/dev/null",
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                    "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
                    "-N", "-p", Integer.toString(serverPort), "-i", setup.clientKey().toString(), "-c", cipher,
                    "-L", forward, "127.0.0.1"), setup.work());
        }
    },

    SLUICE("Sluice") {
        @Override
        public Server startServer(Setup setup) throws IOException {
            PeerProcess server = PeerProcess.start("sluice server", List.of(setup.launcher().toString(), "server",
                    "-p", "0", "-h", setup.hostKey().toString(),
                    "-o", "AuthorizedKeysFile=" + setup.authorizedKeys()), setup.work());
            try {
                String line = server.awaitStdoutLine(l -> l.contains("listening on"), STARTUP);
                return new Server(server, portAfterLastColon(line));
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }

        @Override
        public PeerProcess startClient(Setup setup, int serverPort, String cipher, String forward) throws IOException {
            return PeerProcess.start("sluice ssh", List.of(setup.launcher().toString(), "ssh", "-N",
                    "-p", Integer.toString(serverPort), "-i", setup.clientKey().toString(),
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-c", cipher,
                    "-L", forward, "127.0.0.1"), setup.work());
        }
    },

    MINA("MINA SSHD") {
        @Override
        public Server startServer(Setup setup) throws IOException {
            PeerProcess server = PeerProcess.start("MINA SSHD server", setup.javaCommand(
                    "dev.sluice.benchmarks.mina.MinaServerMain", "--host-key", setup.hostKey().toString(),
                    "--authorized-keys", setup.authorizedKeys().toString()), setup.work());
            try {
                String line = server.awaitStdoutLine(l -> l.contains("listening on"), STARTUP);
                return new Server(server, portAfterLastColon(line));
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }

        @Override
        public PeerProcess startClient(Setup setup, int serverPort, String cipher, String forward) throws IOException {
            return PeerProcess.start("MINA SSHD client", setup.javaCommand(
                    "dev.sluice.benchmarks.mina.MinaForwardClient", "--port", Integer.toString(serverPort),
                    "--key", setup.clientKey().toString(), "--cipher", cipher, "--forward", forward), setup.work());
        }
    };

    /** A JVM that builds nothing still needs a few seconds to start; sshd needs milliseconds. */
    public static final Duration STARTUP = Duration.ofSeconds(60);

    private final String label;

    Peer(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Starts a server that accepts the benchmark's client key and waits until it listens. */
    public abstract Server startServer(Setup setup) throws IOException;

    /** Starts a client with one {@code -L forward} using {@code cipher}; the caller waits for the listener. */
    public abstract PeerProcess startClient(Setup setup, int serverPort, String cipher, String forward)
            throws IOException;

    /** The number after the last colon of a "listening on ADDR:PORT" line. */
    public static int portAfterLastColon(String line) {
        String tail = line.substring(line.lastIndexOf(':') + 1).replaceAll("[^0-9].*$", "");
        return Integer.parseInt(tail);
    }

    /** A started server and its port. */
    public record Server(PeerProcess process, int port) {
    }

    /**
     * Files shared by every server and client of a run: keys made with ssh-keygen and the authorized_keys file.
     *
     * @param launcher the {@code ./sluice} script
     * @param java the JDK's java, the one the launcher picks
     * @param classpath this module's classes and dependencies, for the Java mains it starts
     * @param work a scratch directory
     */
    public record Setup(Path launcher, Path java, String classpath, Path work, Path hostKey, Path clientKey,
            Path authorizedKeys) {
        public static Setup create(Path launcher, Path java, String classpath, Path work) throws IOException {
            Path hostKey = keygen(work, "host_ed25519");
            Path clientKey = keygen(work, "client_ed25519");
            Path authorized = work.resolve("authorized_keys");
            Files.writeString(authorized, Files.readString(work.resolve("client_ed25519.pub")));
            return new Setup(launcher, java, classpath, work, hostKey, clientKey, authorized);
        }

        /** {@code java -cp CLASSPATH mainClass args}, the command line of one of this module's mains. */
        public List<String> javaCommand(String mainClass, String... args) {
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xms256m", "-cp", classpath, mainClass));
            command.addAll(List.of(args));
            return command;
        }

        private static Path keygen(Path dir, String name) throws IOException {
            Path key = dir.resolve(name);
            List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                    name, "-f", key.toString()));
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new IOException("ssh-keygen failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return key;
        }

        public static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }
}
