package dev.sluice.cli;

import dev.sluice.auth.AuthenticationException;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshDisconnectedException;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.LocalPortForwarder;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.key.IncorrectPassphraseException;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.SshKeyPair;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sluice ssh}: OpenSSH's ssh for tunnels. Same option letters and ssh_config keywords (for {@code -o}), same
 * messages on standard error, exit status 255 on connection, host key or authentication failure. With a command, a
 * subsystem ({@code -s}) or neither (a shell), it runs a session ({@link SessionRunner}) and exits with the remote
 * command's status; {@code -N} runs none.
 */
final class SshCommand {
    private static final String USAGE = "usage: sluice ssh [-46gNnsTtqv] [-c cipher_spec] [-i identity_file]\n"
            + "           [-L [bind_address:]port:host:hostport] [-l login_name] [-o option]\n"
            + "           [-p port] destination [command [argument ...]]";

    private final PrintStream out;
    private final PrintStream err;

    SshCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        SshOptions o = new SshOptions();
        try {
            Getopt opts = new Getopt("46gNnsTtqvp:l:i:L:o:c:", List.of(), args);
            for (Getopt.Option opt : opts.options()) {
                o.apply(opt);
            }
            if (opts.operands().isEmpty()) {
                throw new Getopt.UsageException("missing destination");
            }
            o.destination(opts.operands().get(0));
            o.command = String.join(" ", opts.operands().subList(1, opts.operands().size()));
        } catch (Getopt.UsageException e) {
            err.println("sluice ssh: " + e.getMessage());
            err.println(USAGE);
            return 255;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 255;
        }
        if (o.subsystem && o.command.isEmpty() && !o.noCommand) {
            err.println("You must specify a subsystem to invoke.");
            err.println(USAGE);
            return 255;
        }
        Logging.configure(o.logLevel);
        return connectAndForward(o);
    }

    private int connectAndForward(SshOptions o) {
        List<SshKeyPair> identities = loadIdentities(o);
        KnownHostsVerifier verifier = new KnownHostsVerifier(o.knownHostsFiles(), o.strictHostKeyChecking,
                o.batchMode, err);
        TransportConfig transport = TransportConfig.defaults().withHostKeyVerifier(verifier);
        if (o.ciphers != null) {
            transport = transport.withCiphers(AlgorithmList.apply(Ciphers.defaultNames(), Ciphers.defaultNames(),
                    o.ciphers, "cipher"));
        }
        SshClient.Target target = SshClient.Target.of(o.host, o.port, o.user, identities)
                .withTransport(transport)
                .withBannerSink(err::print)
                .withConnectTimeoutMillis(o.connectTimeoutSeconds * 1000);
        try (SshClient client = new SshClient(NettyTransports.newEventLoopGroup(1, "sluice"))) {
            SshConnection connection;
            Future<SshConnection> connecting = client.connect(target).awaitUninterruptibly();
            if (!connecting.isSuccess()) {
                err.println(describe(o, connecting.cause()));
                client.group().shutdownGracefully();
                return 255;
            }
            connection = connecting.getNow();
            SshConnection open = connection;
            // On ^C or kill, tell the server why, as ssh does.
            Thread bye = new Thread(() -> {
                if (open.parent().isActive()) {
                    TransportPipeline.disconnect(open.parent(), DisconnectReason.BY_APPLICATION,
                            "disconnected by user").awaitUninterruptibly(1000);
                }
            }, "sluice-ssh-exit");
            Runtime.getRuntime().addShutdownHook(bye);
            if (!startForwards(o, connection, verifier)) {
                connection.close().awaitUninterruptibly();
                client.group().shutdownGracefully();
                return 255;
            }
            if (!o.noCommand) {
                int status = new SessionRunner(err).run(connection, o.sessionSpec(), o.host);
                Runtime.getRuntime().removeShutdownHook(bye);
                TransportPipeline.disconnect(connection.parent(), DisconnectReason.BY_APPLICATION,
                        "disconnected by user").awaitUninterruptibly(1000);
                client.group().shutdownGracefully();
                return status;
            }
            connection.closeFuture().awaitUninterruptibly();
            TransportClosed closed = dev.sluice.transport.TransportSession.of(connection.parent()).closed()
                    .orElse(null);
            if (closed != null && !closed.local()) {
                err.println("Received disconnect from " + o.host + " port " + o.port + ":" + closed.reason().code()
                        + ": " + closed.message());
            } else if (closed != null && closed.reason() != DisconnectReason.BY_APPLICATION) {
                err.println("ssh: " + closed.message());
            } else if (closed == null) {
                err.println("Connection to " + o.host + " closed by remote host.");
            }
            client.group().shutdownGracefully();
            return 255;
        }
    }

    private boolean startForwards(SshOptions o, SshConnection connection, KnownHostsVerifier verifier) {
        if (verifier.forwardingDisabled() && !o.forwards.isEmpty()) {
            return !o.exitOnForwardFailure;
        }
        for (LocalForward spec : o.forwards) {
            Future<InetSocketAddress> bound = new LocalPortForwarder(connection, spec, o.gatewayPorts).start().awaitUninterruptibly();
            if (!bound.isSuccess()) {
                err.println("bind [" + spec.bindAddress() != null ? spec.bindAddress() : (o.gatewayPorts ? "0.0.0.0" : "127.0.0.1") + "]:" + spec.bindPort() + ": "
                        + rootMessage(bound.cause()));
                err.println("channel_setup_fwd_listener_tcpip: cannot listen to port: " + spec.bindPort());
                err.println("Could not request local forwarding.");
                if (o.exitOnForwardFailure) {
                    err.println("Error: Could not request local forwarding.");
                    return false;
                }
            }
        }
        return true;
    }

    private List<SshKeyPair> loadIdentities(SshOptions o) {
        List<SshKeyPair> keys = new ArrayList<>();
        boolean explicit = !o.identityFiles.isEmpty();
        List<Path> files = explicit ? o.identityFiles
                : List.of(home().resolve(".ssh/id_ed25519"));
        for (Path file : files) {
            if (!Files.exists(file)) {
                if (explicit) {
                    err.println("Warning: Identity file " + file + " not accessible: No such file or directory.");
                }
                continue;
            }
            try {
                if (OpenSshKeyFile.permissionsTooOpen(file)) {
                    err.println("@".repeat(59));
                    err.println("@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @");
                    err.println("@".repeat(59));
                    err.println("Permissions for '" + file + "' are too open.");
                    err.println("It is required that your private key files are NOT accessible by others.");
                    err.println("This private key will be ignored.");
                    continue;
                }
                keys.add(OpenSshKeyFile.read(file, () -> o.batchMode ? null
                        : Prompts.passphrase("Enter passphrase for key '" + file + "': ")));
            } catch (IncorrectPassphraseException e) {
                err.println("Load key \"" + file + "\": incorrect passphrase supplied to decrypt private key");
            } catch (IOException | RuntimeException e) {
                err.println("Load key \"" + file + "\": " + e.getMessage());
            }
        }
        return keys;
    }

    private static String describe(SshOptions o, Throwable cause) {
        Throwable c = cause;
        if (c instanceof AuthenticationException) {
            return o.user + "@" + o.host + ": " + c.getMessage();
        }
        if (c instanceof SshDisconnectedException) {
            TransportClosed closed = ((SshDisconnectedException) c).closed();
            if (closed != null && closed.reason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
                return closed.message();
            }
            if (closed != null && !closed.local()) {
                return "Received disconnect from " + o.host + " port " + o.port + ":" + closed.reason().code() + ": "
                        + closed.message();
            }
            if (closed != null) {
                return "ssh: " + closed.message();
            }
            return "Connection closed by " + o.host + " port " + o.port;
        }
        if (c instanceof UnknownHostException) {
            return "ssh: Could not resolve hostname " + o.host + ": Name or service not known";
        }
        if (c instanceof ConnectTimeoutException) {
            return "ssh: connect to host " + o.host + " port " + o.port + ": Connection timed out";
        }
        if (c instanceof ConnectException) {
            return "ssh: connect to host " + o.host + " port " + o.port + ": "
                    + NettyTransports.describeConnectFailure(c);
        }
        return "ssh: " + rootMessage(c);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    /** The options of one ssh invocation, from its letters and {@code -o} keywords, with ssh's defaults. */
    static final class SshOptions {
        String host;
        String user = System.getProperty("user.name");
        boolean userGiven;
        int port = 22;
        final List<Path> identityFiles = new ArrayList<>();
        final List<LocalForward> forwards = new ArrayList<>();
        boolean noCommand;
        String command = "";
        boolean subsystem;
        boolean nullStdin;
        /** RequestTTY: auto, no (-T), yes (-t), force (-tt). */
        String requestTty = "auto";
        final List<String> sendEnv = new ArrayList<>();
        final Map<String, String> setEnv = new LinkedHashMap<>();
        String ciphers;
        String strictHostKeyChecking = "ask";
        final List<Path> userKnownHostsFiles = new ArrayList<>();
        boolean batchMode;
        boolean exitOnForwardFailure;
        boolean gatewayPorts;
        String logLevel = "ERROR";
        int verbosity;
        int connectTimeoutSeconds;

        void apply(Getopt.Option opt) {
            switch (opt.name()) {
                case "4", "6" -> {
                    // The address family follows from the destination; nothing to choose here.
                }
                case "T" -> requestTty = "no";
                case "t" -> requestTty = requestTty.equals("yes") || requestTty.equals("force") ? "force" : "yes";
                case "n" -> nullStdin = true;
                case "s" -> subsystem = true;
                case "N" -> noCommand = true;
                case "g" -> gatewayPorts = true;
                case "q" -> logLevel = "QUIET";
                case "v" -> logLevel = ++verbosity == 1 ? "DEBUG" : "DEBUG2";
                case "p" -> set("Port", opt.argument());
                case "l" -> set("User", opt.argument());
                case "i" -> set("IdentityFile", opt.argument());
                case "L" -> set("LocalForward", opt.argument());
                case "c" -> set("Ciphers", opt.argument());
                case "o" -> option(opt.argument());
                default -> throw new IllegalStateException(opt.name());
            }
        }

        void destination(String d) {
            int at = d.lastIndexOf('@');
            if (at >= 0) {
                if (!userGiven) {
                    user = d.substring(0, at);
                }
                d = d.substring(at + 1);
            }
            if (d.startsWith("ssh://")) {
                throw new IllegalArgumentException("sluice ssh: ssh:// URIs are not supported yet");
            }
            host = d;
        }

        private void option(String o) {
            int eq = o.indexOf('=');
            int sp = o.indexOf(' ');
            int cut = eq >= 0 && (sp < 0 || eq < sp) ? eq : sp;
            if (cut < 0) {
                throw new IllegalArgumentException("command-line: line 0: Bad configuration option: " + o);
            }
            set(o.substring(0, cut).trim(), o.substring(cut + 1).trim());
        }

        private void set(String keyword, String value) {
            String k = keyword.toLowerCase(Locale.ROOT);
            try {
                switch (k) {
                    case "port" -> port = Integer.parseInt(value);
                    case "user" -> {
                        user = value;
                        userGiven = true;
                    }
                    case "hostname" -> host = value;
                    case "identityfile" -> identityFiles.add(Path.of(value.startsWith("~/")
                            ? home().resolve(value.substring(2)).toString() : value));
                    case "localforward" -> forwards.add(LocalForward.parse(value.replaceFirst("\\s+", ":")));
                    case "ciphers" -> ciphers = value;
                    case "stricthostkeychecking" -> strictHostKeyChecking = value;
                    case "userknownhostsfile" -> {
                        for (String f : value.split("\\s+")) {
                            userKnownHostsFiles.add(Path.of(f.startsWith("~/") ? home().resolve(f.substring(2))
                                    .toString() : f));
                        }
                    }
                    case "batchmode" -> batchMode = yes(value);
                    case "exitonforwardfailure" -> exitOnForwardFailure = yes(value);
                    case "gatewayports" -> gatewayPorts = yes(value);
                    case "loglevel" -> logLevel = value;
                    case "connecttimeout" -> connectTimeoutSeconds = Integer.parseInt(value);
                    case "requesttty" -> requestTty = value.toLowerCase(Locale.ROOT);
                    case "sendenv" -> sendEnv.addAll(List.of(value.trim().split("\\s+")));
                    case "setenv" -> {
                        for (String pair : value.trim().split("\\s+")) {
                            int eq = pair.indexOf('=');
                            if (eq <= 0) {
                                throw new IllegalArgumentException("command-line line 0: Invalid environment.");
                            }
                            setEnv.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1));
                        }
                    }
                    case "identitiesonly", "passwordauthentication", "kbdinteractiveauthentication",
                            "pubkeyauthentication", "serveraliveinterval", "serveralivecountmax", "tcpkeepalive",
                            "compression", "addressfamily" -> {
                        // Accepted: Sluice only does publickey with the given identities, which is what these
                        // settings ask for in a script; the keepalive settings arrive with sessions.
                    }
                    default -> throw new IllegalArgumentException(
                            "command-line: line 0: Bad configuration option: " + keyword);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Bad " + keyword + " '" + value + "'");
            }
        }

        SessionRunner.Spec sessionSpec() {
            return new SessionRunner.Spec(command, subsystem, requestTty, nullStdin, sendEnv, setEnv,
                    logLevel.equalsIgnoreCase("QUIET"));
        }

        private static boolean yes(String v) {
            return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true");
        }

        List<Path> knownHostsFiles() {
            return userKnownHostsFiles.isEmpty()
                    ? List.of(home().resolve(".ssh/known_hosts"), home().resolve(".ssh/known_hosts2"))
                    : userKnownHostsFiles;
        }
    }
}
