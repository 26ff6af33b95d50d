package dev.sluice.cli;

import dev.sluice.auth.AuthorizedKeysAuthenticator;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshServer;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.connection.session.SessionOpenHandler;
import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.DirectTcpipHandler;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.SshKeyPair;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sluice server}: an SSH server configured with sshd_config keywords ({@code -o Keyword=Value}, {@code -f
 * file}). In this embedded mode every user name is accepted when the key is in the AuthorizedKeysFile (by default the
 * process owner's {@code ~/.ssh/authorized_keys}), and the server acts as its own OS user. Prints
 * {@code listening on ADDR:PORT} on standard output when ready, then serves until killed.
 */
final class ServerCommand {
    private static final String USAGE = "usage: sluice server [-De] [-d] [-p port] [--bind address] [-h host_key_file]\n"
            + "                     [-f config_file] [-o option]";

    private final PrintStream out;
    private final PrintStream err;

    ServerCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        SshdConfig config = new SshdConfig();
        boolean debug = false;
        try {
            Getopt opts = new Getopt("p:h:o:f:dDe", List.of("bind"), args);
            if (!opts.operands().isEmpty()) {
                throw new Getopt.UsageException("unexpected argument " + opts.operands().get(0));
            }
            for (Getopt.Option o : opts.options()) {
                switch (o.name()) {
                    case "p" -> config.set("Port", o.argument(), "command-line", 0);
                    case "bind" -> config.set("ListenAddress", o.argument(), "command-line", 0);
                    case "h" -> config.set("HostKey", o.argument(), "command-line", 0);
                    case "o" -> config.setOption(o.argument());
                    case "f" -> config.readFile(Path.of(o.argument()));
                    case "d" -> debug = true;
                    case "D", "e" -> {
                        // sluice server always stays in the foreground and logs to standard error.
                    }
                    default -> throw new IllegalStateException(o.name());
                }
            }
        } catch (Getopt.UsageException e) {
            err.println("sluice server: " + e.getMessage());
            err.println(USAGE);
            return 255;
        } catch (IllegalArgumentException | IOException e) {
            err.println(e.getMessage());
            return 255;
        }
        Logging.configure(debug ? "DEBUG" : config.logLevel());
        try {
            return serve(config);
        } catch (IOException | IllegalArgumentException e) {
            err.println("sluice server: " + e.getMessage());
            return 255;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private int serve(SshdConfig config) throws IOException, InterruptedException {
        List<SshKeyPair> hostKeys = new ArrayList<>();
        for (Path file : config.hostKeys()) {
            hostKeys.add(loadOrCreateHostKey(file));
        }
        TransportConfig transport = TransportConfig.defaults().withHostKeys(hostKeys);
        if (config.ciphers() != null) {
            transport = transport.withCiphers(AlgorithmList.apply(Ciphers.defaultNames(), Ciphers.defaultNames(),
                    config.ciphers(), "cipher"));
        }
        ForwardingPolicy policy = new ForwardingPolicy(config.allowTcpForwarding());
        SshServer.Config serverConfig = new SshServer.Config(
                new InetSocketAddress(config.listenAddress(), config.port()), transport,
                new AuthorizedKeysAuthenticator(config.authorizedKeysFile()), config.maxAuthTries(),
                config.loginGraceSeconds(), ConnectionConfig.DEFAULT,
                Map.of("direct-tcpip", new DirectTcpipHandler(policy),
                        SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(config.sessions())));
        SshServer server = new SshServer(serverConfig);
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception e) {
            server.close();
            throw new IOException("Bind to port " + config.port() + " on " + config.listenAddress() + " failed: "
                    + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "sluice-server-shutdown"));
        out.println("listening on " + hostString(bound) + ":" + bound.getPort());
        out.flush();
        stopped.await();
        return 0;
    }

    private SshKeyPair loadOrCreateHostKey(Path file) throws IOException {
        if (Files.exists(file)) {
            return OpenSshKeyFile.read(file, () -> null);
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        SshKeyPair key = SshKeyPair.generateEd25519("sluice host key");
        OpenSshKeyFile.write(file, key, null);
        err.println("Generated host key " + file + ": " + key.publicKey().fingerprint());
        return key;
    }

    private static String hostString(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /** The sshd_config keywords sluice server understands, with sshd's defaults and error messages. */
    static final class SshdConfig {
        private int port = 22;
        private String listenAddress = "0.0.0.0";
        private final List<Path> hostKeys = new ArrayList<>();
        private Path authorizedKeysFile = home().resolve(".ssh/authorized_keys");
        private AllowTcpForwarding allowTcpForwarding = AllowTcpForwarding.YES;
        private int maxAuthTries = 6;
        private int loginGraceSeconds = 120;
        private String ciphers;
        private String logLevel = "INFO";
        private final Map<String, String> subsystems = new LinkedHashMap<>();
        private final List<String> acceptEnv = new ArrayList<>();
        private String forceCommand;
        private int maxSessions = SessionConfig.DEFAULT_MAX_SESSIONS;

        void setOption(String option) {
            int eq = option.indexOf('=');
            int sp = option.indexOf(' ');
            int cut = eq >= 0 ? eq : sp;
            if (cut < 0) {
                throw new IllegalArgumentException("command-line line 0: missing argument.");
            }
            set(option.substring(0, cut).trim(), option.substring(cut + 1).trim(), "command-line", 0);
        }

        void readFile(Path file) throws IOException {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] kv = t.split("[ \t=]+", 2);
                if (kv.length < 2) {
                    throw new IllegalArgumentException(file + " line " + n + ": missing argument.");
                }
                set(kv[0], kv[1], file.toString(), n);
            }
        }

        void set(String keyword, String value, String where, int line) {
            try {
                switch (keyword.toLowerCase(Locale.ROOT)) {
                    case "port" -> port = parsePort(value);
                    case "listenaddress" -> listenAddress = value;
                    case "hostkey" -> hostKeys.add(Path.of(expandHome(value)));
                    case "authorizedkeysfile" -> authorizedKeysFile = authorizedKeysPath(value);
                    case "allowtcpforwarding" -> allowTcpForwarding = AllowTcpForwarding.parse(value);
                    case "maxauthtries" -> maxAuthTries = Integer.parseInt(value);
                    case "logingracetime" -> loginGraceSeconds = parseSeconds(value);
                    case "ciphers" -> ciphers = value;
                    case "loglevel" -> logLevel = value;
                    case "subsystem" -> subsystem(value, where, line);
                    case "acceptenv" -> acceptEnv.addAll(List.of(value.trim().split("\\s+")));
                    case "forcecommand" -> forceCommand = forceCommand != null ? forceCommand
                            : value.equalsIgnoreCase("none") ? "" : value;
                    case "maxsessions" -> maxSessions = Integer.parseInt(value);
                    case "usepam", "strictmodes", "pidfile", "passwordauthentication", "kbdinteractiveauthentication",
                            "pubkeyauthentication" -> {
                        // Accepted for sshd_config compatibility: embedded mode has no PAM, pid file or passwords.
                    }
                    default -> throw new IllegalArgumentException(where + " line " + line
                            + ": Bad configuration option: " + keyword);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + " line " + line + ": invalid value for " + keyword + ": "
                        + value);
            }
        }

        /** {@code Subsystem name command [args]}; sshd keeps the first definition and rejects a second. */
        private void subsystem(String value, String where, int line) {
            String[] nc = value.trim().split("\\s+", 2);
            if (nc.length < 2) {
                throw new IllegalArgumentException(where + " line " + line + ": Missing subsystem command.");
            }
            if (subsystems.containsKey(nc[0])) {
                throw new IllegalArgumentException(where + " line " + line + ": Subsystem '" + nc[0]
                        + "' already defined.");
            }
            if (nc[1].equals("internal-sftp")) {
                throw new IllegalArgumentException(where + " line " + line
                        + ": internal-sftp is not supported; use Subsystem " + nc[0] + " /usr/lib/openssh/sftp-server");
            }
            subsystems.put(nc[0], nc[1]);
        }

        /** Subsystem, AcceptEnv, ForceCommand and MaxSessions as a session configuration. */
        SessionConfig sessions() {
            return SessionConfig.defaults().withHandler(new PtyCommandHandler()).withSubsystems(subsystems).withAcceptEnv(acceptEnv)
                    .withForceCommand(forceCommand == null || forceCommand.isEmpty() ? null : forceCommand)
                    .withMaxSessions(maxSessions);
        }

        private static int parsePort(String value) {
            int p = Integer.parseInt(value);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException(value);
            }
            return p;
        }

        /** sshd's time format: plain seconds, or with s/m/h suffixes. */
        private static int parseSeconds(String value) {
            String v = value.toLowerCase(Locale.ROOT);
            int unit = v.endsWith("h") ? 3600 : v.endsWith("m") ? 60 : 1;
            if (Character.isLetter(v.charAt(v.length() - 1))) {
                v = v.substring(0, v.length() - 1);
            }
            return Integer.parseInt(v) * unit;
        }

        /** AuthorizedKeysFile: %h is the home directory, %u the user, %% a percent; relative paths start at home. */
        private static Path authorizedKeysPath(String value) {
            String v = value.split("\\s+")[0]
                    .replace("%h", home().toString())
                    .replace("%u", System.getProperty("user.name"))
                    .replace("%%", "%");
            Path p = Path.of(expandHome(v));
            return p.isAbsolute() ? p : home().resolve(p);
        }

        private static String expandHome(String v) {
            return v.startsWith("~/") ? home().resolve(v.substring(2)).toString() : v;
        }

        private static Path home() {
            return Path.of(System.getProperty("user.home"));
        }

        int port() {
            return port;
        }

        String listenAddress() {
            return listenAddress;
        }

        List<Path> hostKeys() {
            return hostKeys.isEmpty() ? List.of(home().resolve(".sluice/ssh_host_ed25519_key")) : hostKeys;
        }

        Path authorizedKeysFile() {
            return authorizedKeysFile;
        }

        AllowTcpForwarding allowTcpForwarding() {
            return allowTcpForwarding;
        }

        int maxAuthTries() {
            return maxAuthTries;
        }

        int loginGraceSeconds() {
            return loginGraceSeconds;
        }

        String ciphers() {
            return ciphers;
        }

        String logLevel() {
            return logLevel;
        }
    }
}
