package dev.sluice.cli;

import dev.sluice.auth.AuthorizedKeysAuthenticator;
import dev.sluice.auth.KeyboardInteractiveAuthenticator;
import dev.sluice.auth.PasswordAuthenticator;
import dev.sluice.auth.PublicKeyAuthenticator;
import dev.sluice.auth.ServerAuthConfig;
import dev.sluice.auth.ShadowPasswordAuthenticator;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.GlobalRequestHandler;
import dev.sluice.connection.MaxStartups;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.SshServer;
import dev.sluice.connection.session.AgentForwarder;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.connection.session.SessionOpenHandler;
import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.AgentForwarding;
import dev.sluice.forwarding.AllowStreamLocalForwarding;
import dev.sluice.forwarding.DirectStreamLocalHandler;
import dev.sluice.forwarding.StreamLocalForwardHandler;
import dev.sluice.forwarding.StreamLocalPolicy;
import dev.sluice.forwarding.DirectTcpipHandler;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.GatewayPorts;
import dev.sluice.forwarding.PermitList;
import dev.sluice.forwarding.TcpipForwardHandler;
import dev.sluice.transport.RekeyLimit;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * {@code sluice server}: an SSH server configured with sshd_config keywords ({@code -o Keyword=Value}, {@code -f
 * file}). In this embedded mode every user name is accepted when the key is in the AuthorizedKeysFile (by default the
 * process owner's {@code ~/.ssh/authorized_keys}), and the server acts as its own OS user. PasswordAuthentication and
 * KbdInteractiveAuthentication (off by default here, unlike sshd) check the system's users in /etc/shadow. Prints
 * {@code listening on ADDR:PORT} on standard output when ready, then serves until killed. Match blocks apply per
 * login ({@link MatchedConfig}). As sshd: {@code -t} checks the configuration, {@code -T [-C spec]} prints the
 * effective one, {@code -E file} appends the log to a file, {@code -d} raises the log level.
 */
final class ServerCommand {
    private static final String USAGE = "usage: sluice server [-DdeTt] [-C connection_spec] [-E log_file]\n"
            + "                     [-f config_file] [-h host_key_file] [-o option] [-p port] [--bind address]";

    private final PrintStream out;
    private final PrintStream err;

    ServerCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        SshdConfig config = new SshdConfig();
        int debug = 0;
        Path logFile = null;
        boolean test = false;
        boolean dump = false;
        SshdMatch.Connection connection = null;
        try {
            Getopt opts = new Getopt("p:h:o:f:dDetTC:E:", List.of("bind"), args);
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
                    case "d" -> debug++;
                    case "E" -> logFile = Path.of(o.argument());
                    case "t" -> test = true;
                    case "T" -> dump = true;
                    case "C" -> {
                        try {
                            connection = SshdMatch.Connection.parse(o.argument());
                        } catch (IllegalArgumentException e) {
                            err.println(e.getMessage());
                            return 1;
                        }
                    }
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
        } catch (NoSuchFileException e) {
            err.println(e.getMessage() + ": No such file or directory");
            return 1;
        } catch (IllegalArgumentException | IOException e) {
            err.println(e.getMessage());
            return 255;
        }
        PrintStream log = null;
        if (logFile != null) {
            // sshd opens the -E file before anything else, even for -t and -T.
            try {
                log = Logging.openLogFile(logFile);
            } catch (IOException e) {
                err.println(e.getMessage());
                return 1;
            }
        }
        if (connection != null && !dump) {
            err.println("Config test connection parameter (-C) provided without test mode (-T)");
            return 255;
        }
        if (dump && (connection == null || connection.localPort() < 0) && config.matchesOnLocalPort()) {
            err.println("'Match LocalPort' in configuration but 'lport' not in connection test specification.");
            return 255;
        }
        if (dump) {
            // sshd -T: the configuration a connection described by -C would get (no -C: only Match All applies).
            config.forConnection(connection != null ? connection
                    : new SshdMatch.Connection(null, null, null, null, -1)).dump().forEach(out::println);
            out.flush();
            return 0;
        }
        if (test) {
            // sshd -t: the configuration is valid; nothing is started.
            return 0;
        }
        try {
            // sshd -d, -dd, -ddd: DEBUG1 to DEBUG3, whatever LogLevel says
            Logging.configureServer(debug == 0 ? config.logLevel() : "DEBUG" + Math.min(debug, 3), log);
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
        hostKeys.addAll(hostCertificates(config.hostCertificates, hostKeys));
        TransportConfig transport = TransportConfig.defaults().withHostKeys(hostKeys)
                .withKexAlgorithms(SshCommand.kexAlgorithms(config.kexAlgorithms()));
        if (config.hostKeyAlgorithms() != null) {
            transport = transport.withHostKeyAlgorithms(SshCommand.hostKeyAlgorithms(config.hostKeyAlgorithms()));
        }
        if (config.ciphers() != null) {
            transport = transport.withCiphers(AlgorithmList.apply(Ciphers.defaultNames(), Ciphers.defaultNames(),
                    config.ciphers(), "cipher"));
        }
        transport = transport.withCompression(config.compression() ? TransportConfig.SERVER_COMPRESSION
                : TransportConfig.NO_COMPRESSION).withRekeyLimit(config.rekeyLimit());
        if (config.macs() != null) {
            transport = transport.withMacs(AlgorithmList.apply(Macs.defaultNames(), SshCommand.supportedMacs(),
                    config.macs(), "MAC"));
        }
        ForwardingPolicy global = config.forwardingPolicy();
        // ssh -A: one forwarder for the server, asking each connection's policy (DisableForwarding included).
        AgentForwarder agent = AgentForwarding.server(c -> {
            SshdConfig own = config.hasMatchBlocks() ? MatchedConfig.of(c.parent(), config) : config;
            return !own.forwardingPolicy().disableForwarding() && own.allowAgentForwarding();
        });
        SessionConfig globalSessions = config.sessions().withAgentForwarder(agent);
        // With Match blocks, what a connection may do depends on who logged in, from where, to which address: the
        // configuration chosen at authentication (MatchedConfig) answers for its channels and requests.
        Function<SshConnection, ForwardingPolicy> policy = !config.hasMatchBlocks() ? c -> global
                : c -> MatchedConfig.of(c.parent(), config).forwardingPolicy();
        Function<SshConnection, SessionConfig> sessions = !config.hasMatchBlocks() ? c -> globalSessions
                : c -> MatchedConfig.of(c.parent(), config).sessions().withAgentForwarder(agent);
        StreamLocalPolicy globalStreamLocal = config.streamLocalPolicy();
        Function<SshConnection, StreamLocalPolicy> streamLocal = !config.hasMatchBlocks() ? c -> globalStreamLocal
                : c -> MatchedConfig.of(c.parent(), config).streamLocalPolicy();
        SshServer.Config serverConfig = new SshServer.Config(
                new InetSocketAddress(config.listenAddress(), config.port()), transport,
                config.publicKeys(),
                config.maxAuthTries(), config.loginGraceSeconds(), config.connectionConfig(),
                Map.of("direct-tcpip", new DirectTcpipHandler(policy),
                        SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(sessions),
                        DirectStreamLocalHandler.CHANNEL_TYPE, new DirectStreamLocalHandler(policy,
                                c -> streamLocal.apply(c).allow())),
                config.authConfig(), config.maxStartups,
                globalRequestHandlers(policy, streamLocal));
        if (config.hasMatchBlocks()) {
            serverConfig = serverConfig.withUserAuthPolicy(MatchedConfig.policy(config))
                    .withKeepAlivePolicy(socket -> MatchedConfig.of(socket, config).connectionConfig());
        }
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
        LoggerFactory.getLogger(ServerCommand.class).info("Server listening on {} port {}.",
                bound.getAddress().getHostAddress(), bound.getPort());
        out.println("listening on " + hostString(bound) + ":" + bound.getPort());
        out.flush();
        stopped.await();
        return 0;
    }

    /** tcpip-forward and streamlocal-forward@openssh.com, with their cancel requests. */
    private static Map<String, GlobalRequestHandler> globalRequestHandlers(
            Function<SshConnection, ForwardingPolicy> policy, Function<SshConnection, StreamLocalPolicy> streamLocal) {
        Map<String, GlobalRequestHandler> handlers = new HashMap<>(new TcpipForwardHandler(policy).handlers());
        handlers.putAll(new StreamLocalForwardHandler(policy, streamLocal).handlers());
        return handlers;
    }

    /**
     * HostCertificate files, each paired with the host key it certifies; offered before the plain keys, as sshd's
     * certificate algorithms come first.
     */
    static List<SshKeyPair> hostCertificates(List<Path> files, List<SshKeyPair> hostKeys) throws IOException {
        List<SshKeyPair> out = new ArrayList<>();
        for (Path file : files) {
            SshPublicKey key;
            try {
                key = PublicKeys.parseLine(Files.readString(file).strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Could not load host certificate \"" + file + "\": "
                        + e.getMessage(), e);
            }
            if (!(key instanceof OpenSshCertificate cert) || cert.type() != OpenSshCertificate.Type.HOST) {
                throw new IllegalArgumentException("Could not load host certificate \"" + file
                        + "\": not a host certificate");
            }
            SshKeyPair privateKey = hostKeys.stream().filter(k -> k.publicKey().equals(cert.certifiedKey()))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("Certificate for host key "
                            + cert.certifiedKey().fingerprint() + " (" + file + ") does not match any host key"));
            out.add(cert.withPrivateKey(privateKey));
        }
        return out;
    }

    private SshKeyPair loadOrCreateHostKey(Path file) throws IOException {
        if (Files.exists(file)) {
            return OpenSshKeyFile.read(file, () -> null);
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        SshKeyPair key = generateHostKey(file.getFileName().toString());
        OpenSshKeyFile.write(file, key, null);
        err.println("Generated host key " + file + ": " + key.publicKey().fingerprint());
        return key;
    }

    /** A new host key of the type the file name says, as {@code ssh-keygen -A} makes them: ECDSA P-256, RSA 3072. */
    static SshKeyPair generateHostKey(String fileName) {
        if (fileName.contains("ecdsa")) {
            return SshKeyPair.generateEcdsa(256, "sluice host key");
        }
        if (fileName.contains("rsa")) {
            return SshKeyPair.generateRsa(3072, "sluice host key");
        }
        return SshKeyPair.generateEd25519("sluice host key");
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
        private final List<Path> hostCertificates = new ArrayList<>();
        private Path authorizedKeysFile = home().resolve(".ssh/authorized_keys");
        private Path trustedUserCaKeys;
        private AllowTcpForwarding allowTcpForwarding = AllowTcpForwarding.YES;
        private ForwardingPolicy forwarding = ForwardingPolicy.DEFAULT;
        private AllowStreamLocalForwarding allowStreamLocalForwarding = AllowStreamLocalForwarding.YES;
        private int streamLocalBindMask = StreamLocalPolicy.DEFAULT.bindMask();
        private boolean streamLocalBindUnlink;
        private int maxAuthTries = 6;
        private int loginGraceSeconds = 120;
        private int clientAliveIntervalSeconds;
        private int clientAliveCountMax = ConnectionConfig.DEFAULT_KEEPALIVE_COUNT_MAX;
        private String ciphers;
        private String kexAlgorithms;
        private String hostKeyAlgorithms;
        private String macs;
        private boolean compression = true;
        private RekeyLimit rekeyLimit = RekeyLimit.DEFAULT;
        private String logLevel = "INFO";
        private boolean pubkeyAuthentication = true;
        private boolean passwordAuthentication;
        private boolean kbdInteractiveAuthentication;
        private boolean permitEmptyPasswords;
        private List<List<String>> authenticationMethods = List.of();
        private MaxStartups maxStartups = MaxStartups.DEFAULT;
        private Path banner;
        private final Map<String, String> subsystems = new LinkedHashMap<>();
        /** The Match blocks, in file order. */
        private final List<SshdMatch> matches = new ArrayList<>();
        private final List<String> acceptEnv = new ArrayList<>();
        private String forceCommand;
        private int maxSessions = SessionConfig.DEFAULT_MAX_SESSIONS;
        private boolean permitTty = true;
        /** Every global line set so far, in order: replayed to build a connection's configuration. */
        private final List<SshdMatch.Line> given = new ArrayList<>();
        /** AuthorizedKeysFile as written, for -T. */
        private String authorizedKeysSpec = ".ssh/authorized_keys";
        /** AuthorizedPrincipalsFile as written (tokens expanded per login); null for sshd's default none. */
        private String authorizedPrincipalsFile;
        /** CASignatureAlgorithms as written; null for the default. */
        private String caSignatureAlgorithms;
        /** RevokedKeys: a KRL or a public key list ({@code ~} expanded), or none; null until set. */
        private String revokedKeys;
        /** AllowAgentForwarding (sshd's default yes); null until set, as the first value wins. */
        private Boolean allowAgentForwarding;
        /** PermitUserEnvironment: no (empty), yes ({@code *}) or a pattern list; null until set. */
        private List<String> permitUserEnvironment;

        void setOption(String option) {
            int eq = option.indexOf('=');
            int sp = option.indexOf(' ');
            int cut = eq >= 0 ? eq : sp;
            if (cut < 0) {
                throw new IllegalArgumentException("command-line line 0: missing argument.");
            }
            set(option.substring(0, cut).trim(), option.substring(cut + 1).trim(), "command-line", 0);
        }

        /**
         * Reads an sshd_config file. As sshd, an unknown keyword or a keyword without its argument is reported and
         * counted and reading goes on ("FILE: terminating, N bad configuration options" at the end); any other bad
         * value stops at once.
         */
        void readFile(Path file) throws IOException {
            List<String> errors = new ArrayList<>();
            SshdMatch block = null;
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] kv = t.split("[ \t=]+", 2);
                try {
                    if (kv.length < 2) {
                        throw new CountedError(file + " line " + n + ": no argument after keyword \"" + kv[0] + "\"");
                    }
                    if (kv[0].equalsIgnoreCase("match")) {
                        block = SshdMatch.parse(kv[1], file.toString(), n);
                        matches.add(block);
                    } else if (block != null) {
                        String k = kv[0];
                        String v = kv[1];
                        int at = n;
                        block.add(k, v, file.toString(), n, () -> inMatch(k, v, file.toString(), at));
                    } else {
                        set(kv[0], kv[1], file.toString(), n);
                    }
                } catch (CountedError e) {
                    errors.add(e.getMessage());
                } catch (IllegalArgumentException e) {
                    // sshd has printed the counted errors before the one that stops it
                    errors.add(e.getMessage());
                    throw new IllegalArgumentException(String.join("\n", errors), e);
                }
            }
            if (!errors.isEmpty()) {
                errors.add(file + ": terminating, " + errors.size() + " bad configuration options");
                throw new IllegalArgumentException(String.join("\n", errors));
            }
        }

        /** A bad line sshd counts and reads past, rather than stopping at. */
        private static final class CountedError extends IllegalArgumentException {
            private static final long serialVersionUID = 1L;

            CountedError(String message) {
                super(message);
            }
        }

        /**
         * A line inside a Match block checked as sshd checks it: as a global line, except that an unknown keyword
         * stops reading there ("Directive … is not allowed within a Match block").
         */
        private static void inMatch(String keyword, String value, String where, int line) {
            try {
                new SshdConfig().set(keyword, value, where, line);
            } catch (CountedError e) {
                throw new IllegalArgumentException(e.getMessage() + "\n" + where + " line " + line + ": Directive '"
                        + keyword + "' is not allowed within a Match block", e);
            }
        }

        void set(String keyword, String value, String where, int line) {
            given.add(new SshdMatch.Line(keyword, value, where, line));
            try {
                switch (keyword.toLowerCase(Locale.ROOT)) {
                    case "port" -> port = parsePort(value);
                    case "listenaddress" -> listenAddress = value;
                    case "hostkey" -> hostKeys.add(Path.of(expandHome(value)));
                    case "hostcertificate" -> hostCertificates.add(Path.of(expandHome(value)));
                    case "authorizedkeysfile" -> {
                        authorizedKeysFile = authorizedKeysPath(value);
                        authorizedKeysSpec = value;
                    }
                    case "trustedusercakeys" -> trustedUserCaKeys = value.equalsIgnoreCase("none") ? null
                            : Path.of(expandHome(value));
                    case "allowtcpforwarding" -> allowTcpForwarding = checked(where, line,
                            "unsupported option \"" + value + "\".", () -> AllowTcpForwarding.parse(value));
                    case "permitopen", "permitlisten", "gatewayports", "disableforwarding" ->
                        forwarding = forwardingKeyword(keyword, value, where, line);
                    case "allowstreamlocalforwarding" ->
                        allowStreamLocalForwarding = AllowStreamLocalForwarding.parse(value);
                    case "streamlocalbindmask" -> streamLocalBindMask = checked(where, line, "Invalid mask.",
                            () -> parseMask(value));
                    case "streamlocalbindunlink" -> streamLocalBindUnlink = checked(where, line,
                            "unsupported option \"" + value + "\".", () -> yesNo(value));
                    case "maxauthtries" -> maxAuthTries = Integer.parseInt(value);
                    case "logingracetime" -> loginGraceSeconds = parseSeconds(value);
                    case "clientaliveinterval" -> clientAliveIntervalSeconds = parseSeconds(value);
                    case "clientalivecountmax" -> clientAliveCountMax = Integer.parseInt(value);
                    case "ciphers" -> ciphers = checked(value, v -> AlgorithmList.apply(Ciphers.defaultNames(),
                            Ciphers.defaultNames(), v, "cipher"), where, line);
                    case "kexalgorithms" -> kexAlgorithms = checked(value, SshCommand::kexAlgorithms, where, line);
                    case "hostkeyalgorithms" -> hostKeyAlgorithms = checked(value, SshCommand::hostKeyAlgorithms,
                            where, line);
                    case "macs" -> macs = checked(value, v -> AlgorithmList.apply(Macs.defaultNames(),
                            SshCommand.supportedMacs(), v, "MAC"), where, line);
                    case "compression" -> compression = parseCompression(value);
                    case "rekeylimit" -> rekeyLimit = RekeyLimit.parse(value);
                    case "loglevel" -> logLevel = logLevel(value, where, line);
                    case "pubkeyauthentication" -> pubkeyAuthentication = yes(value);
                    case "passwordauthentication" -> passwordAuthentication = yes(value);
                    case "kbdinteractiveauthentication", "challengeresponseauthentication" ->
                            kbdInteractiveAuthentication = yes(value);
                    case "permitemptypasswords" -> permitEmptyPasswords = yes(value);
                    case "authenticationmethods" -> authenticationMethods = checked(where, line,
                            "invalid authentication method list.",
                            () -> ServerAuthConfig.parseAuthenticationMethods(value));
                    case "maxstartups" -> maxStartups = checked(where, line, "Invalid MaxStartups spec.",
                            () -> MaxStartups.parse(value));
                    case "banner" -> banner = value.equals("none") ? null : Path.of(expandHome(value));
                    case "subsystem" -> subsystem(value, where, line);
                    case "acceptenv" -> acceptEnv.addAll(List.of(value.trim().split("\\s+")));
                    case "forcecommand" -> forceCommand = forceCommand != null ? forceCommand
                            : value.equalsIgnoreCase("none") ? "" : value;
                    case "maxsessions" -> maxSessions = Integer.parseInt(value);
                    case "permittty" -> permitTty = yes(value);
                    case "usedns" -> {
                        // Match Host sees the client's address, which is sshd's UseDNS no; yes is not offered.
                        if (yes(value)) {
                            throw new IllegalArgumentException(where + " line " + line
                                    + ": UseDNS yes is not supported by sluice server");
                        }
                    }
                    case "authorizedprincipalsfile" -> authorizedPrincipalsFile = authorizedPrincipalsFile != null
                            ? authorizedPrincipalsFile : checked(where, line, "Bad AuthorizedPrincipalsFile "
                                    + value, () -> principalsFileSpec(value));
                    case "casignaturealgorithms" -> caSignatureAlgorithms = caSignatureAlgorithms != null
                            ? caSignatureAlgorithms : checked(value, SshCommand::caSignatureAlgorithms, where, line);
                    case "revokedkeys" -> revokedKeys = revokedKeys != null ? revokedKeys : expandHome(value.trim());
                    case "allowagentforwarding" -> {
                        boolean v = yes(value);
                        allowAgentForwarding = allowAgentForwarding != null ? allowAgentForwarding : v;
                    }
                    case "permituserenvironment" -> {
                        // sshd: "yes" and "no" exactly; anything else is a pattern list of variable names.
                        List<String> v = value.equals("yes") ? List.of("*") : value.equals("no") ? List.of()
                                : List.of(value.split(","));
                        permitUserEnvironment = permitUserEnvironment != null ? permitUserEnvironment : v;
                    }
                    case "usepam", "strictmodes", "pidfile" -> {
                        // Accepted for sshd_config compatibility (embedded mode has no PAM or pid file), checked as
                        // sshd checks them.
                        if (!keyword.equalsIgnoreCase("pidfile")) {
                            yes(value);
                        }
                    }
                    default -> throw new CountedError(where + ": line " + line + ": Bad configuration option: "
                            + keyword);
                }
            } catch (NumberFormatException e) {
                // sshd's words for a value it cannot read, by the kind of value the keyword takes
                String why = switch (keyword.toLowerCase(Locale.ROOT)) {
                    case "port" -> "Badly formatted port number.";
                    case "maxauthtries", "maxsessions", "clientalivecountmax" -> keyword + " integer value invalid.";
                    case "logingracetime", "clientaliveinterval" -> "invalid time value.";
                    default -> "unsupported option \"" + value + "\".";
                };
                throw new IllegalArgumentException(where + " line " + line + ": " + why, e);
            }
        }

        /** LogLevel's names, as sshd's log_level_number. */
        private static String logLevel(String value, String where, int line) {
            return switch (value.toUpperCase(Locale.ROOT)) {
                case "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3" -> value;
                default -> throw new IllegalArgumentException(where + " line " + line + ": unsupported log level '"
                        + value + "'");
            };
        }

        /** The forwarding policy keywords, with sshd's "FILE line N: …" errors. */
        private ForwardingPolicy forwardingKeyword(String keyword, String value, String where, int line) {
            try {
                return switch (keyword.toLowerCase(Locale.ROOT)) {
                    case "permitopen" -> forwarding.withPermitOpen(PermitList.parseOpen(value));
                    case "permitlisten" -> forwarding.withPermitListen(PermitList.parseListen(value));
                    case "gatewayports" -> forwarding.withGatewayPorts(GatewayPorts.parse(yesNoOr(value,
                            "clientspecified")));
                    default -> forwarding.withDisableForwarding(yesNo(value));
                };
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " line " + line + ": " + e.getMessage(), e);
            }
        }

        /** {@code value} when it is yes, no or {@code other}; sshd's "unsupported option" otherwise. */
        private static String yesNoOr(String value, String other) {
            if (value.equalsIgnoreCase(other)) {
                return value;
            }
            yesNo(value);
            return value;
        }

        private static boolean yesNo(String value) {
            if (value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("no")) {
                return value.equalsIgnoreCase("yes");
            }
            throw new IllegalArgumentException("unsupported option \"" + value + "\".");
        }

        /** Validates an algorithm list while reading, in sshd's words ("FILE line N: Bad SSH2 KexAlgorithms …"). */
        private static String checked(String spec, Function<String, List<String>> parse, String where, int line) {
            try {
                parse.apply(spec);
                return spec;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " line " + line + ": " + e.getMessage(), e);
            }
        }

        /** A parsed value, or sshd's "FILE line N: message" for a bad one. */
        private static <T> T checked(String where, int line, String message, java.util.function.Supplier<T> parse) {
            try {
                return parse.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " line " + line + ": " + message, e);
            }
        }

        private static boolean yes(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new NumberFormatException(value);
            };
        }

        /**
         * Password and keyboard-interactive check the system's users (/etc/shadow); keyboard-interactive asks
         * "Password: " as PAM's pam_unix does. Both are off unless configured: in embedded mode a password login acts
         * as the server's own OS user, so sshd's "yes" defaults would hand that user to every system account.
         */
        ServerAuthConfig authConfig() throws IOException {
            return authConfig(banner == null ? null : Files.readString(banner));
        }

        /** The authentication settings with {@code text} as the banner (null for none). */
        ServerAuthConfig authConfig(String text) {
            PasswordAuthenticator passwords = new ShadowPasswordAuthenticator();
            return new ServerAuthConfig(passwordAuthentication ? passwords : null,
                    kbdInteractiveAuthentication ? KeyboardInteractiveAuthenticator.password(passwords) : null,
                    authenticationMethods, permitEmptyPasswords, text);
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
            return SessionConfig.defaults().withHandler(new PtyCommandHandler()).withSubsystems(subsystems)
                    .withAcceptEnv(acceptEnv)
                    .withForceCommand(forceCommand == null || forceCommand.isEmpty() ? null : forceCommand)
                    .withMaxSessions(maxSessions).withPermitTty(permitTty)
                    .withPermitUserEnvironment(permitUserEnvironment == null ? List.of() : permitUserEnvironment);
        }

        /** An AuthorizedPrincipalsFile value: its tokens must be %u, %h or %% ({@code none} is kept as is). */
        private static String principalsFileSpec(String value) {
            String v = value.trim();
            if (v.replace("%%", "").replace("%u", "").replace("%h", "").contains("%")) {
                throw new IllegalArgumentException(v);
            }
            return v.equalsIgnoreCase("none") ? "none" : expandHome(v);
        }

        /** AllowAgentForwarding (sshd's default yes); a connection's own with Match blocks, see forConnection. */
        boolean allowAgentForwarding() {
            return allowAgentForwarding == null || allowAgentForwarding;
        }

        private static int parsePort(String value) {
            int p = Integer.parseInt(value);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException(value);
            }
            return p;
        }

        /**
         * sshd_config(5) TIME FORMATS: numbers each with an optional unit (s, m, h, d, w), summed ({@code 1h30m});
         * anything else is a NumberFormatException, as sshd's convtime refuses it.
         */
        static int parseSeconds(String value) {
            return new KeywordArgs("time", List.of(value), "", 0).secondsOrThrow();
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
            // sshd's default HostKey files, generated on first use (as ssh-keygen -A would).
            return hostKeys.isEmpty() ? List.of(home().resolve(".sluice/ssh_host_ed25519_key"),
                    home().resolve(".sluice/ssh_host_ecdsa_key"), home().resolve(".sluice/ssh_host_rsa_key"))
                    : hostKeys;
        }

        Path authorizedKeysFile() {
            return authorizedKeysFile;
        }

        AllowTcpForwarding allowTcpForwarding() {
            return allowTcpForwarding;
        }

        /**
         * The configuration of one connection, as sshd's parse_server_match_config makes it: the global settings,
         * then, for each keyword, the first value that a Match block applying to the connection sets. Several
         * AcceptEnv lines in matching blocks add up and replace the global list.
         */
        SshdConfig forConnection(SshdMatch.Connection connection) {
            SshdConfig c = new SshdConfig();
            for (SshdMatch.Line l : given) {
                c.set(l.keyword(), l.value(), l.file(), l.line());
            }
            Set<String> seen = new HashSet<>();
            for (SshdMatch m : matches) {
                if (!m.matches(connection)) {
                    continue;
                }
                for (SshdMatch.Line l : m.lines()) {
                    String k = SshdMatch.setting(l.keyword());
                    boolean first = seen.add(k);
                    if (k.equals("acceptenv") && first) {
                        c.acceptEnv.clear();
                    } else if (k.equals("forcecommand") && first) {
                        c.forceCommand = null;
                    } else if (k.equals("allowagentforwarding") && first) {
                        c.allowAgentForwarding = null;
                    } else if (!first && !k.equals("acceptenv")) {
                        continue;
                    }
                    c.set(l.keyword(), l.value(), l.file(), l.line());
                }
            }
            return c;
        }

        /** Whether a Match block has a LocalPort criterion, which sshd -T cannot evaluate without -C lport=. */
        boolean matchesOnLocalPort() {
            return matches.stream().anyMatch(SshdMatch::hasLocalPort);
        }

        /** Whether any Match block is configured, so the policy depends on the connection. */
        boolean hasMatchBlocks() {
            return !matches.isEmpty();
        }

        /** AllowTcpForwarding, PermitOpen, PermitListen, GatewayPorts and DisableForwarding as one policy. */
        ForwardingPolicy forwardingPolicy() {
            return new ForwardingPolicy(allowTcpForwarding, forwarding.disableForwarding(), forwarding.permitOpen(),
                    forwarding.permitListen(), forwarding.gatewayPorts());
        }

        /** AllowStreamLocalForwarding, StreamLocalBindMask, StreamLocalBindUnlink (DisableForwarding: the policy). */
        StreamLocalPolicy streamLocalPolicy() {
            return new StreamLocalPolicy(allowStreamLocalForwarding, streamLocalBindMask, streamLocalBindUnlink);
        }

        /** sshd's StreamLocalBindMask: octal, 0 to 0777. */
        private static int parseMask(String value) {
            int mask = Integer.parseInt(value, 8);
            if (mask < 0 || mask > 0777) {
                throw new IllegalArgumentException("mask out of range: " + value);
            }
            return mask;
        }

        /** AllowStreamLocalForwarding: which Unix-domain socket forwardings are allowed. */
        AllowStreamLocalForwarding allowStreamLocalForwarding() {
            return allowStreamLocalForwarding;
        }

        int maxAuthTries() {
            return maxAuthTries;
        }

        /** The connection settings: OpenSSH's windows and packets, with ClientAliveInterval/ClientAliveCountMax. */
        ConnectionConfig connectionConfig() {
            return ConnectionConfig.DEFAULT.withKeepAlive(Duration.ofSeconds(clientAliveIntervalSeconds),
                    clientAliveCountMax);
        }

        int loginGraceSeconds() {
            return loginGraceSeconds;
        }

        String ciphers() {
            return ciphers;
        }

        String kexAlgorithms() {
            return kexAlgorithms;
        }

        String hostKeyAlgorithms() {
            return hostKeyAlgorithms;
        }

        String macs() {
            return macs;
        }

        RekeyLimit rekeyLimit() {
            return rekeyLimit;
        }

        /** Whether delayed compression is offered: sshd's default {@code yes} (same as {@code delayed}). */
        boolean compression() {
            return compression;
        }

        private static boolean parseCompression(String value) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "yes", "delayed" -> {
                    return true;
                }
                case "no" -> {
                    return false;
                }
                default -> throw new NumberFormatException(value);
            }
        }

        String logLevel() {
            return logLevel;
        }

        /** PubkeyAuthentication with AuthorizedKeysFile and TrustedUserCAKeys: the publickey check, or null. */
        PublicKeyAuthenticator publicKeys() {
            return pubkeyAuthentication ? new AuthorizedKeysAuthenticator(authorizedKeysFile, trustedUserCaKeys,
                    Clock.systemDefaultZone())
                    .withAuthorizedPrincipalsFile(authorizedPrincipalsFile)
                    .withCaSignatureAlgorithms(SshCommand.caSignatureAlgorithms(caSignatureAlgorithms))
                    .withRevokedKeys(revokedKeys == null || revokedKeys.equalsIgnoreCase("none") ? null
                            : Path.of(revokedKeys))
                    : null;
        }

        /** The Banner file, or null for none. */
        Path bannerFile() {
            return banner;
        }

        /**
         * What {@code sluice server -T} prints: each keyword sluice server implements with its value, lower-case
         * keyword and sshd's spellings (yes/no, times in seconds, lists comma-separated, one line per HostKey,
         * AcceptEnv and Subsystem), in the order of sshd's dump_config.
         */
        List<String> dump() {
            List<String> out = new ArrayList<>();
            String host = listenAddress.contains(":") ? "[" + listenAddress + "]" : listenAddress;
            out.add("port " + port);
            out.add("listenaddress " + host + ":" + port);
            out.add("logingracetime " + loginGraceSeconds);
            out.add("maxauthtries " + maxAuthTries);
            out.add("maxsessions " + maxSessions);
            out.add("clientaliveinterval " + clientAliveIntervalSeconds);
            out.add("clientalivecountmax " + clientAliveCountMax);
            out.add("pubkeyauthentication " + yesNoWord(pubkeyAuthentication));
            out.add("passwordauthentication " + yesNoWord(passwordAuthentication));
            out.add("kbdinteractiveauthentication " + yesNoWord(kbdInteractiveAuthentication));
            out.add("permittty " + yesNoWord(permitTty));
            out.add("permitemptypasswords " + yesNoWord(permitEmptyPasswords));
            out.add("compression " + yesNoWord(compression));
            out.add("gatewayports " + lower(forwarding.gatewayPorts()));
            out.add("usedns no");
            out.add("allowtcpforwarding " + lower(allowTcpForwarding));
            out.add("disableforwarding " + yesNoWord(forwarding.disableForwarding()));
            out.add("allowstreamlocalforwarding " + lower(allowStreamLocalForwarding));
            out.add("ciphers " + String.join(",", ciphers == null ? Ciphers.defaultNames()
                    : AlgorithmList.apply(Ciphers.defaultNames(), Ciphers.defaultNames(), ciphers, "cipher")));
            out.add("macs " + String.join(",", macs == null ? Macs.defaultNames()
                    : AlgorithmList.apply(Macs.defaultNames(), SshCommand.supportedMacs(), macs, "MAC")));
            out.add("banner " + (banner == null ? "none" : banner));
            out.add("forcecommand " + (forceCommand == null || forceCommand.isEmpty() ? "none" : forceCommand));
            out.add("trustedusercakeys " + (trustedUserCaKeys == null ? "none" : trustedUserCaKeys));
            out.add("kexalgorithms " + String.join(",", SshCommand.kexAlgorithms(kexAlgorithms)));
            out.add("hostkeyalgorithms " + String.join(",", hostKeyAlgorithms == null
                    ? PublicKeys.defaultHostKeyAlgorithms() : SshCommand.hostKeyAlgorithms(hostKeyAlgorithms)));
            // sshd's log_level_name: DEBUG1 is called DEBUG
            String level = logLevel.toUpperCase(Locale.ROOT);
            out.add("loglevel " + (level.equals("DEBUG1") ? "DEBUG" : level));
            out.add("authorizedkeysfile " + String.join(" ", authorizedKeysSpec.trim().split("\\s+")));
            hostKeys().forEach(k -> out.add("hostkey " + k));
            hostCertificates.forEach(c -> out.add("hostcertificate " + c));
            acceptEnv.forEach(e -> out.add("acceptenv " + e));
            out.add("authenticationmethods " + (authenticationMethods.isEmpty() ? "any" : String.join(" ",
                    authenticationMethods.stream().map(l -> String.join(",", l)).toList())));
            subsystems.forEach((name, command) -> out.add("subsystem " + name + " " + command));
            out.add("maxstartups " + maxStartups.start() + ":" + maxStartups.rate() + ":" + maxStartups.full());
            out.add("rekeylimit " + rekeyLimit.bytes() + " " + rekeyLimit.interval().toSeconds());
            out.add("permitopen " + permitWords(forwarding.permitOpen()));
            out.add("permitlisten " + permitWords(forwarding.permitListen()));
            return out;
        }

        /** A permission list as sshd prints it: a bare listen port is {@code *:port}. */
        private static String permitWords(PermitList list) {
            return list.isAny() || list.entries().isEmpty() ? list.toString()
                    : PermitList.of(list.entries()).toString();
        }

        private static String yesNoWord(boolean b) {
            return b ? "yes" : "no";
        }

        private static String lower(Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
    }
}
