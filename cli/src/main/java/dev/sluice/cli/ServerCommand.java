package dev.sluice.cli;

import dev.sluice.auth.AuthorizedKeysAuthenticator;
import dev.sluice.auth.KeyboardInteractiveAuthenticator;
import dev.sluice.auth.PasswordAuthenticator;
import dev.sluice.auth.ServerAuthConfig;
import dev.sluice.auth.ShadowPasswordAuthenticator;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.MaxStartups;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.SshServer;
import dev.sluice.connection.session.SessionConfig;
import dev.sluice.connection.session.SessionOpenHandler;
import dev.sluice.forwarding.AllowTcpForwarding;
import dev.sluice.forwarding.AgentForwarding;
import dev.sluice.forwarding.AllowStreamLocalForwarding;
import dev.sluice.forwarding.DirectStreamLocalHandler;
import dev.sluice.forwarding.DirectTcpipHandler;
import dev.sluice.forwarding.ForwardingPolicy;
import dev.sluice.forwarding.ForwardingUser;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * {@code sluice server}: an SSH server configured with sshd_config keywords ({@code -o Keyword=Value}, {@code -f
 * file}). In this embedded mode every user name is accepted when the key is in the AuthorizedKeysFile (by default the
 * process owner's {@code ~/.ssh/authorized_keys}), and the server acts as its own OS user. PasswordAuthentication and
 * KbdInteractiveAuthentication (off by default here, unlike sshd) check the system's users in /etc/shadow. Prints
 * {@code listening on ADDR:PORT} on standard output when ready, then serves until killed.
 */
final class ServerCommand {
    private static final String USAGE = "usage: sluice server [-Det] [-d] [-p port] [--bind address] [-h host_key_file]\n"
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
        boolean test = false;
        try {
            Getopt opts = new Getopt("p:h:o:f:dDet", List.of("bind"), args);
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
                    case "t" -> test = true;
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
        if (test) {
            // sshd -t: the configuration is valid; nothing is started.
            return 0;
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
        // With Match blocks, each request's policy depends on who asks, from where, to which local port.
        Function<SshConnection, ForwardingPolicy> policy = !config.hasMatchBlocks() ? c -> global
                : c -> config.forwardingPolicy(ForwardingUser.of(c).name(), address(c.parent().remoteAddress()),
                        c.parent().localAddress() instanceof InetSocketAddress local ? local.getPort() : 0);
        SshServer.Config serverConfig = new SshServer.Config(
                new InetSocketAddress(config.listenAddress(), config.port()), transport,
                config.pubkeyAuthentication ? new AuthorizedKeysAuthenticator(config.authorizedKeysFile(),
                        config.trustedUserCaKeys, Clock.systemDefaultZone())
                        .withAuthorizedPrincipalsFile(config.authorizedPrincipalsFile)
                        .withCaSignatureAlgorithms(SshCommand.caSignatureAlgorithms(config.caSignatureAlgorithms))
                        .withRevokedKeys(config.revokedKeys == null || config.revokedKeys.equalsIgnoreCase("none")
                                ? null : Path.of(config.revokedKeys))
                        : null,
                config.maxAuthTries(), config.loginGraceSeconds(), config.connectionConfig(),
                Map.of("direct-tcpip", new DirectTcpipHandler(policy),
                        SessionOpenHandler.CHANNEL_TYPE, new SessionOpenHandler(config.sessions()
                                .withAgentForwarder(AgentForwarding.server(c -> !policy.apply(c).disableForwarding()
                                        && config.allowAgentForwarding(ForwardingUser.of(c).name(),
                                                address(c.parent().remoteAddress()), localPort(c))))),
                        DirectStreamLocalHandler.CHANNEL_TYPE, new DirectStreamLocalHandler(
                                global.disableForwarding() ? AllowStreamLocalForwarding.NO
                                        : config.allowStreamLocalForwarding())),
                config.authConfig(), config.maxStartups,
                new TcpipForwardHandler(policy).handlers());
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

    private static int localPort(SshConnection c) {
        return c.parent().localAddress() instanceof InetSocketAddress local ? local.getPort() : 0;
    }

    private static String address(java.net.SocketAddress a) {
        return a instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress()
                : "";
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
                        block.set(kv[0], kv[1], file.toString(), n);
                    } else {
                        set(kv[0], kv[1], file.toString(), n);
                    }
                } catch (CountedError e) {
                    errors.add(e.getMessage());
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

        void set(String keyword, String value, String where, int line) {
            try {
                switch (keyword.toLowerCase(Locale.ROOT)) {
                    case "port" -> port = parsePort(value);
                    case "listenaddress" -> listenAddress = value;
                    case "hostkey" -> hostKeys.add(Path.of(expandHome(value)));
                    case "hostcertificate" -> hostCertificates.add(Path.of(expandHome(value)));
                    case "authorizedkeysfile" -> authorizedKeysFile = authorizedKeysPath(value);
                    case "trustedusercakeys" -> trustedUserCaKeys = value.equalsIgnoreCase("none") ? null
                            : Path.of(expandHome(value));
                    case "allowtcpforwarding" -> allowTcpForwarding = checked(where, line,
                            "unsupported option \"" + value + "\".", () -> AllowTcpForwarding.parse(value));
                    case "permitopen", "permitlisten", "gatewayports", "disableforwarding" ->
                        forwarding = forwardingKeyword(keyword, value, where, line);
                    case "allowstreamlocalforwarding" ->
                        allowStreamLocalForwarding = AllowStreamLocalForwarding.parse(value);
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
            PasswordAuthenticator passwords = new ShadowPasswordAuthenticator();
            String text = banner == null ? null : Files.readString(banner);
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
                    .withMaxSessions(maxSessions)
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

        /** AllowAgentForwarding for a connection of {@code user} from {@code address} to {@code localPort}. */
        boolean allowAgentForwarding(String user, String address, int localPort) {
            return SshdMatch.allowAgentForwarding(allowAgentForwarding == null || allowAgentForwarding, matches,
                    user, address, localPort);
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

        /** The policy for one connection: the global one with what the Match blocks that apply to it set. */
        ForwardingPolicy forwardingPolicy(String user, String address, int localPort) {
            return SshdMatch.apply(forwardingPolicy(), matches, user, address, localPort);
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
    }
}
