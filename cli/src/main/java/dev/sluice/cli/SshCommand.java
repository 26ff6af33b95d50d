package dev.sluice.cli;

import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.ClientAuthConfig;
import dev.sluice.auth.SshAgent;
import dev.sluice.auth.UserInteraction;
import dev.sluice.connection.ChannelOpenException;
import dev.sluice.connection.ConnectionConfig;
import dev.sluice.connection.SshClient;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.NettyTransports;
import dev.sluice.connection.SshDisconnectedException;
import dev.sluice.forwarding.DynamicForward;
import dev.sluice.forwarding.DynamicPortForwarder;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.LocalPortForwarder;
import dev.sluice.forwarding.RemoteForward;
import dev.sluice.forwarding.RemotePortForwarder;
import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.RekeyLimit;
import dev.sluice.transport.TransportClosed;
import dev.sluice.transport.TransportConfig;
import dev.sluice.transport.TransportPipeline;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.key.IncorrectPassphraseException;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.Map;

/**
 * {@code sluice ssh}: OpenSSH's ssh for tunnels. Same option letters and ssh_config keywords (for {@code -o}), same
 * messages on standard error, exit status 255 on connection, host key or authentication failure. With a command, a
 * subsystem ({@code -s}) or neither (a shell), it runs a session ({@link SessionRunner}) and exits with the remote
 * command's status; {@code -N} runs none.
 */
final class SshCommand {
    private static final String USAGE = "usage: sluice ssh [-46CgNnsTtqv] [-c cipher_spec] [-i identity_file]\n"
            + "           [-D [bind_address:]port] [-J destination] [-L [bind_address:]port:host:hostport]\n"
            + "           [-l login_name] [-m mac_spec] [-o option] [-R [bind_address:]port:host:hostport]\n"
            + "           [-p port] destination [command [argument ...]]";

    private final PrintStream out;
    private final PrintStream err;
    /** The agent connection while authenticating, if there is an agent; it lives as long as the command. */
    private SshAgent agent;

    SshCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        SshOptions o = new SshOptions();
        try {
            Getopt opts = new Getopt("46CgNnsTtqvp:l:i:L:R:D:J:o:c:m:", List.of(), args);
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

    /** The MACs a MACs list may name: the defaults and the SHA-1 ones that must be asked for. */
    static List<String> supportedMacs() {
        List<String> all = new ArrayList<>(Macs.defaultNames());
        all.addAll(Macs.optInNames());
        return all;
    }

    /** The algorithm lists of {@code o} (Ciphers, MACs, Compression) and RekeyLimit applied to {@code transport}. */
    private static TransportConfig algorithms(SshOptions o, TransportConfig transport) {
        if (o.ciphers != null) {
            transport = transport.withCiphers(AlgorithmList.apply(Ciphers.defaultNames(), Ciphers.defaultNames(),
                    o.ciphers, "cipher"));
        }
        if (o.macs != null) {
            transport = transport.withMacs(AlgorithmList.apply(Macs.defaultNames(), supportedMacs(), o.macs, "MAC"));
        }
        if (o.compression) {
            transport = transport.withCompression(TransportConfig.CLIENT_COMPRESSION);
        }
        if (o.rekeyLimit != null) {
            transport = transport.withRekeyLimit(o.rekeyLimit);
        }
        return transport;
    }

    private int connectAndForward(SshOptions o) {
        List<SshKeyPair> identities = loadIdentities(o);
        KnownHostsVerifier verifier = new KnownHostsVerifier(o.knownHostsFiles(), o.strictHostKeyChecking,
                o.batchMode, err);
        TransportConfig transport;
        try {
            transport = algorithms(o, TransportConfig.defaults().withHostKeyVerifier(verifier));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 255;
        }
        transport = transport.withKexAlgorithms(kexAlgorithms(o.kexAlgorithms))
                .withHostKeyAlgorithms(o.hostKeyAlgorithms != null ? hostKeyAlgorithms(o.hostKeyAlgorithms)
                        : HostKeyOrder.preferKnown(PublicKeys.defaultHostKeyAlgorithms(), o.knownHostsFiles(),
                                o.host, o.port));
        SshClient.Target target = SshClient.Target.of(o.host, o.port, o.user, identities)
                .withTransport(transport)
                .withBannerSink(err::print)
                .withConnectTimeoutMillis(o.connectTimeoutSeconds * 1000)
                .withAuth(o.authConfig(err))
                .withConnection(ConnectionConfig.DEFAULT.withKeepAlive(
                        Duration.ofSeconds(o.serverAliveIntervalSeconds), o.serverAliveCountMax));
        try (SshClient client = new SshClient(NettyTransports.newEventLoopGroup(1, "sluice"))) {
            SshConnection connection;
            // Jump hosts (-J): each next connection runs inside a direct-tcpip channel of the one before, with the
            // same identities, host key checking and ciphers.
            SshConnection via = null;
            for (Jump jump : o.jumps) {
                SshClient.Target hop = SshClient.Target.of(jump.host(), jump.port(), jump.user(), identities)
                        .withTransport(transport)
                        .withBannerSink(err::print)
                        .withConnectTimeoutMillis(o.connectTimeoutSeconds * 1000);
                Future<SshConnection> hopping = (via == null ? client.connect(hop) : client.connect(hop, via))
                        .awaitUninterruptibly();
                if (!hopping.isSuccess()) {
                    err.println(describe(jump.user(), jump.host(), jump.port(), hopping.cause()));
                    client.group().shutdownGracefully();
                    return 255;
                }
                via = hopping.getNow();
            }
            Future<SshConnection> connecting = (via == null ? client.connect(target) : client.connect(target, via))
                    .awaitUninterruptibly();
            if (!connecting.isSuccess()) {
                closeAgent();
                err.println(describe(o.user, o.host, o.port, connecting.cause()));
                client.group().shutdownGracefully();
                return 255;
            }
            closeAgent();
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
                printKeepAliveTimeout(o, connection);
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
            } else if (closed != null && closed.reason() == DisconnectReason.CONNECTION_LOST) {
                printKeepAliveTimeout(o, connection);
            } else if (closed != null && closed.reason() != DisconnectReason.BY_APPLICATION) {
                err.println("ssh: " + closed.message());
            } else if (closed == null) {
                err.println("Connection to " + o.host + " closed by remote host.");
            }
            client.group().shutdownGracefully();
            return 255;
        }
    }

    /** ssh's "Timeout, server HOST not responding." when ServerAliveCountMax keepalives went unanswered. */
    private void printKeepAliveTimeout(SshOptions o, SshConnection connection) {
        TransportClosed closed = dev.sluice.transport.TransportSession.of(connection.parent()).closed().orElse(null);
        if (closed != null && closed.local() && closed.reason() == DisconnectReason.CONNECTION_LOST
                && o.showsInfo()) {
            err.println(closed.message());
        }
    }

    private boolean startForwards(SshOptions o, SshConnection connection, KnownHostsVerifier verifier) {
        if (verifier.forwardingDisabled() && !(o.forwards.isEmpty() && o.remoteForwards.isEmpty()
                && o.dynamicForwards.isEmpty())) {
            return !o.exitOnForwardFailure;
        }
        // As ssh's ssh_init_forwarding: each failure says why; ExitOnForwardFailure ends on any failed -L,
        // otherwise only a connection whose -L all failed reports that, and it stays up for the rest.
        int ok = 0;
        for (LocalForward spec : o.forwards) {
            if (spec.bindPath() != null) {
                Future<?> listening = new LocalPortForwarder(connection, spec, o.gatewayPorts,
                        o.streamLocalBindMask, o.streamLocalBindUnlink).startPath().awaitUninterruptibly();
                if (listening.isSuccess()) {
                    ok++;
                } else {
                    err.println(rootMessage(listening.cause()));
                    err.println("channel_setup_fwd_listener_streamlocal: cannot listen to path: " + spec.bindPath());
                }
                continue;
            }
            Future<InetSocketAddress> bound = new LocalPortForwarder(connection, spec, o.gatewayPorts).start()
                    .awaitUninterruptibly();
            if (bound.isSuccess()) {
                ok++;
                continue;
            }
            for (Throwable why : bound.cause().getSuppressed()) {
                err.println(why.getMessage());
            }
            err.println("channel_setup_fwd_listener_tcpip: " + rootMessage(bound.cause()));
        }
        if (ok != o.forwards.size() && (o.exitOnForwardFailure || ok == 0)) {
            err.println("Could not request local forwarding.");
            if (o.exitOnForwardFailure) {
                return false;
            }
        }
        return startRemoteForwards(o, connection);
    }

    /** Sends every tcpip-forward at once, then reads the replies in order, printing what ssh prints. */
    private boolean startRemoteForwards(SshOptions o, SshConnection connection) {
        List<Future<Integer>> replies = new ArrayList<>();
        for (RemoteForward spec : o.remoteForwards) {
            replies.add(new RemotePortForwarder(connection, spec).start());
        }
        for (int i = 0; i < replies.size(); i++) {
            RemoteForward spec = o.remoteForwards.get(i);
            Future<Integer> reply = replies.get(i).awaitUninterruptibly();
            if (reply.isSuccess()) {
                if (spec.bindPort() == 0 && o.showsInfo()) {
                    err.println("Allocated port " + reply.getNow() + " for remote forward to "
                            + spec.destination());
                }
            } else if (!connection.parent().isActive()) {
                return true; // the main loop reports why the connection ended
            } else if (o.exitOnForwardFailure) {
                err.println("Error: remote port forwarding failed for listen port " + spec.bindPort());
                return false;
            } else if (o.showsInfo()) {
                err.println("Warning: remote port forwarding failed for listen port " + spec.bindPort());
            }
        }
        for (DynamicForward spec : o.dynamicForwards) {
            Future<InetSocketAddress> bound = new DynamicPortForwarder(connection, spec, o.gatewayPorts).start()
                    .awaitUninterruptibly();
            if (!bound.isSuccess()) {
                String address = spec.bindAddress() != null ? spec.bindAddress()
                        : o.gatewayPorts ? "0.0.0.0" : "127.0.0.1";
                err.println("bind [" + address + "]:" + spec.bindPort() + ": " + rootMessage(bound.cause()));
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

    /**
     * The keys to offer, in ssh's order: the agent's first (a key file whose .pub the agent holds is used through the
     * agent, and with IdentitiesOnly only such keys come from the agent), then the other key files.
     */
    private List<SshKeyPair> loadIdentities(SshOptions o) {
        List<SshKeyPair> keys = new ArrayList<>();
        boolean explicit = !o.identityFiles.isEmpty();
        List<Path> files = explicit ? o.identityFiles
                : List.of(home().resolve(".ssh/id_ed25519"));
        Map<Path, SshPublicKey> filePublicKeys = new HashMap<>();
        for (Path file : files) {
            Path pub = Path.of(file + ".pub");
            try {
                if (Files.exists(pub)) {
                    filePublicKeys.put(file, PublicKeys.parseLine(Files.readString(pub).strip()));
                }
            } catch (IOException | RuntimeException e) {
                err.println("Load key \"" + pub + "\": " + e.getMessage());
            }
        }
        for (SshKeyPair k : agentIdentities(o)) {
            if (!o.identitiesOnly || filePublicKeys.containsValue(k.publicKey())) {
                keys.add(k);
            }
        }
        for (Path file : files) {
            SshPublicKey pub = filePublicKeys.get(file);
            if (pub != null && keys.stream().anyMatch(k -> k.publicKey().equals(pub))) {
                continue;
            }
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
        return withCertificates(keys, certificateFiles(o, files));
    }

    /** CertificateFile entries, then each identity file's {@code -cert.pub} that exists (ssh's order). */
    private static List<Path> certificateFiles(SshOptions o, List<Path> identityFiles) {
        List<Path> out = new ArrayList<>(o.certificateFiles);
        for (Path file : identityFiles) {
            Path cert = Path.of(file + "-cert.pub");
            if (Files.exists(cert) && !out.contains(cert)) {
                out.add(cert);
            }
        }
        return out;
    }

    /**
     * The keys with each certificate placed just before the key it certifies, so that, as in ssh, the certificate is
     * offered first and the plain key after it. A certificate without its private key is left out.
     */
    private List<SshKeyPair> withCertificates(List<SshKeyPair> keys, List<Path> certificateFiles) {
        List<SshKeyPair> out = new ArrayList<>(keys);
        for (Path file : certificateFiles) {
            OpenSshCertificate cert;
            try {
                SshPublicKey key = PublicKeys.parseLine(Files.readString(file).strip());
                if (!(key instanceof OpenSshCertificate)) {
                    err.println("Load key \"" + file + "\": not a certificate");
                    continue;
                }
                cert = (OpenSshCertificate) key;
            } catch (IOException | RuntimeException e) {
                err.println("Load key \"" + file + "\": " + e.getMessage());
                continue;
            }
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).publicKey().equals(cert.certifiedKey())) {
                    out.add(i, cert.withPrivateKey(out.get(i)));
                    break;
                }
            }
        }
        return out;
    }

    /** KexAlgorithms with OpenSSH's list syntax and its error text ("Bad SSH2 KexAlgorithms 'x'."). */
    static List<String> kexAlgorithms(String spec) {
        if (spec == null) {
            return KexMethods.defaultNames();
        }
        try {
            return AlgorithmList.apply(KexMethods.defaultNames(), KexMethods.supportedNames(), spec, "KexAlgorithms");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad SSH2 KexAlgorithms '" + spec + "'.", e);
        }
    }

    /** HostKeyAlgorithms with OpenSSH's list syntax and its error text ("Bad key types 'x'."). */
    static List<String> hostKeyAlgorithms(String spec) {
        try {
            return AlgorithmList.apply(PublicKeys.defaultHostKeyAlgorithms(),
                    PublicKeys.supportedHostKeyAlgorithms(), spec, "HostKeyAlgorithms");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad key types '" + spec + "'.", e);
        }
    }

    /** The agent's keys, from IdentityAgent or SSH_AUTH_SOCK; none when there is no agent or it fails. */
    private List<SshKeyPair> agentIdentities(SshOptions o) {
        String socket = o.identityAgent != null ? o.identityAgent : "SSH_AUTH_SOCK";
        if (socket.equalsIgnoreCase("none")) {
            return List.of();
        }
        if (socket.equals("SSH_AUTH_SOCK") || socket.startsWith("$")) {
            socket = System.getenv(socket.startsWith("$") ? socket.substring(1) : socket);
            if (socket == null || socket.isEmpty()) {
                return List.of();
            }
        }
        try {
            agent = SshAgent.connect(Path.of(socket));
            return agent.identities();
        } catch (IOException e) {
            err.println("Error connecting to agent: " + (e.getMessage() == null ? e : e.getMessage()));
            return List.of();
        }
    }

    /** As ssh, which lets go of the agent once authenticated (agent forwarding would keep it). */
    private void closeAgent() {
        if (agent != null) {
            try {
                agent.close();
            } catch (IOException e) {
                err.println("Error closing agent: " + e.getMessage());
            }
            agent = null;
        }
    }

    private static String describe(String user, String host, int port, Throwable cause) {
        Throwable c = cause;
        if (c instanceof AuthenticationException) {
            return user + "@" + host + ": " + c.getMessage();
        }
        if (c instanceof ChannelOpenException e) {
            // What ssh -J prints when the jump host refuses its -W channel.
            return "channel " + e.localId() + ": open failed: " + e.getMessage() + "\nstdio forwarding failed";
        }
        if (c instanceof SshDisconnectedException) {
            TransportClosed closed = ((SshDisconnectedException) c).closed();
            if (closed != null && (closed.reason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE
                    || closed.message().startsWith("Unable to negotiate with "))) {
                return closed.message();
            }
            if (closed != null && !closed.local()) {
                return "Received disconnect from " + host + " port " + port + ":" + closed.reason().code() + ": "
                        + closed.message();
            }
            if (closed != null) {
                return "ssh: " + closed.message();
            }
            return "Connection closed by " + host + " port " + port;
        }
        if (c instanceof UnknownHostException) {
            return "ssh: Could not resolve hostname " + host + ": Name or service not known";
        }
        if (c instanceof ConnectTimeoutException) {
            return "ssh: connect to host " + host + " port " + port + ": Connection timed out";
        }
        if (c instanceof ConnectException) {
            return "ssh: connect to host " + host + " port " + port + ": "
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
        final List<Path> certificateFiles = new ArrayList<>();
        final List<LocalForward> forwards = new ArrayList<>();
        final List<RemoteForward> remoteForwards = new ArrayList<>();
        final List<DynamicForward> dynamicForwards = new ArrayList<>();
        List<Jump> jumps = List.of();
        int streamLocalBindMask = LocalPortForwarder.DEFAULT_STREAM_LOCAL_BIND_MASK;
        boolean streamLocalBindUnlink;
        boolean jumpOption;
        boolean noCommand;
        String command = "";
        boolean subsystem;
        boolean nullStdin;
        /** RequestTTY: auto, no (-T), yes (-t), force (-tt). */
        String requestTty = "auto";
        final List<String> sendEnv = new ArrayList<>();
        final Map<String, String> setEnv = new LinkedHashMap<>();
        String ciphers;
        String kexAlgorithms;
        String hostKeyAlgorithms;
        String macs;
        boolean compression;
        RekeyLimit rekeyLimit;
        String strictHostKeyChecking = "ask";
        final List<Path> userKnownHostsFiles = new ArrayList<>();
        boolean batchMode;
        boolean exitOnForwardFailure;
        boolean gatewayPorts;
        String logLevel = "ERROR";
        int verbosity;
        int connectTimeoutSeconds;
        int serverAliveIntervalSeconds;
        int serverAliveCountMax = ConnectionConfig.DEFAULT_KEEPALIVE_COUNT_MAX;
        List<String> preferredAuthentications = ClientAuthConfig.DEFAULT_PREFERRED;
        boolean pubkeyAuthentication = true;
        boolean passwordAuthentication = true;
        boolean kbdInteractiveAuthentication = true;
        int numberOfPasswordPrompts = 3;
        boolean identitiesOnly;
        String identityAgent;

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
                case "C" -> compression = true;
                case "g" -> gatewayPorts = true;
                case "q" -> logLevel = "QUIET";
                case "v" -> logLevel = ++verbosity == 1 ? "DEBUG" : "DEBUG2";
                case "p" -> set("Port", opt.argument());
                case "l" -> set("User", opt.argument());
                case "i" -> set("IdentityFile", opt.argument());
                case "L" -> set("LocalForward", opt.argument());
                case "R" -> set("RemoteForward", opt.argument());
                case "D" -> set("DynamicForward", opt.argument());
                case "J" -> {
                    if (jumpOption) {
                        throw new IllegalArgumentException("Only a single -J option is permitted (use commas to"
                                + " separate multiple jump hops)");
                    }
                    jumpOption = true;
                    jumps = Jump.parseList(opt.argument(), "Invalid -J argument");
                }
                case "c" -> set("Ciphers", opt.argument());
                case "m" -> set("MACs", opt.argument());
                case "o" -> option(opt.argument());
                default -> throw new IllegalStateException(opt.name());
            }
        }

        /** Validates an algorithm list now, so a bad one fails before connecting, in ssh's words. */
        private static String checked(String spec, Function<String, List<String>> parse) {
            try {
                parse.apply(spec);
                return spec;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("command-line line 0: " + e.getMessage(), e);
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
                    case "certificatefile" -> certificateFiles.add(Path.of(value.startsWith("~/")
                            ? home().resolve(value.substring(2)).toString() : value));
                    case "localforward" -> forwards.add(LocalForward.parse(value.replaceFirst("\\s+", ":")));
                    case "remoteforward" -> remoteForwards.add(RemoteForward.parse(value.replaceFirst("\\s+", ":")));
                    case "dynamicforward" -> dynamicForwards.add(DynamicForward.parse(value));
                    case "streamlocalbindmask" -> streamLocalBindMask = Integer.parseInt(value, 8);
                    case "streamlocalbindunlink" -> streamLocalBindUnlink = yes(value);
                    case "proxyjump" -> jumps = Jump.parseList(value,
                            "command-line: line 0: Invalid ProxyJump \"" + value + "\"");
                    case "ciphers" -> ciphers = value;
                    case "kexalgorithms" -> kexAlgorithms = checked(value, SshCommand::kexAlgorithms);
                    case "hostkeyalgorithms" -> hostKeyAlgorithms = checked(value, SshCommand::hostKeyAlgorithms);
                    case "macs" -> macs = value;
                    case "compression" -> compression = yes(value);
                    case "rekeylimit" -> rekeyLimit = RekeyLimit.parse(value);
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
                    case "preferredauthentications" -> preferredAuthentications = List.of(value.split(","));
                    case "pubkeyauthentication" -> pubkeyAuthentication = yes(value);
                    case "passwordauthentication" -> passwordAuthentication = yes(value);
                    case "kbdinteractiveauthentication", "challengeresponseauthentication" ->
                            kbdInteractiveAuthentication = yes(value);
                    case "numberofpasswordprompts" -> numberOfPasswordPrompts = Integer.parseInt(value);
                    case "identitiesonly" -> identitiesOnly = yes(value);
                    case "identityagent" -> identityAgent = value.startsWith("~/")
                            ? home().resolve(value.substring(2)).toString() : value;
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
                    case "serveraliveinterval" -> serverAliveIntervalSeconds =
                            ServerCommand.SshdConfig.parseSeconds(value);
                    case "serveralivecountmax" -> serverAliveCountMax = Integer.parseInt(value);
                    case "tcpkeepalive", "addressfamily" -> {
                        // Accepted: TCP keepalives are the system's; the address family follows the name.
                    }
                    default -> throw new IllegalArgumentException(
                            "command-line: line 0: Bad configuration option: " + keyword);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Bad " + keyword + " '" + value + "'");
            }
        }

        /** Whether ssh's INFO messages ("Allocated port …", warnings) show: not with -q or LogLevel QUIET/FATAL. */
        boolean showsInfo() {
            return !logLevel.equalsIgnoreCase("QUIET") && !logLevel.equalsIgnoreCase("FATAL");
        }

        SessionRunner.Spec sessionSpec() {
            return new SessionRunner.Spec(command, subsystem, requestTty, nullStdin, sendEnv, setEnv,
                    logLevel.equalsIgnoreCase("QUIET"));
        }

        private static boolean yes(String v) {
            return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true");
        }

        /** The authentication settings; BatchMode means nobody is asked anything. */
        ClientAuthConfig authConfig(PrintStream err) {
            UserInteraction terminal = new UserInteraction() {
                @Override
                public char[] prompt(String prompt, boolean echo) {
                    return Prompts.ask(prompt, echo);
                }

                @Override
                public void show(String message) {
                    err.println(message);
                }
            };
            return new ClientAuthConfig(preferredAuthentications, pubkeyAuthentication, passwordAuthentication,
                    kbdInteractiveAuthentication, numberOfPasswordPrompts,
                    batchMode ? UserInteraction.NONE : terminal);
        }

        List<Path> knownHostsFiles() {
            return userKnownHostsFiles.isEmpty()
                    ? List.of(home().resolve(".ssh/known_hosts"), home().resolve(".ssh/known_hosts2"))
                    : userKnownHostsFiles;
        }
    }

    /**
     * One hop of {@code -J} / ProxyJump: {@code [user@]host[:port]} (or {@code ssh://[user@]host[:port]}), an IPv6
     * address in square brackets; the user defaults to the local user and the port to 22, as for ssh's jump hosts.
     */
    record Jump(String user, String host, int port) {
        /** A comma-separated list of hops, first hop first; {@code none} is no jump host. */
        static List<Jump> parseList(String value, String error) {
            if (value.equalsIgnoreCase("none")) {
                return List.of();
            }
            List<Jump> hops = new ArrayList<>();
            for (String hop : value.split(",", -1)) {
                hops.add(parse(hop, error));
            }
            return List.copyOf(hops);
        }

        private static Jump parse(String spec, String error) {
            String s = spec.strip();
            if (s.startsWith("ssh://")) {
                s = s.substring("ssh://".length());
                s = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
            }
            String user = System.getProperty("user.name");
            int at = s.lastIndexOf('@');
            if (at >= 0) {
                user = s.substring(0, at);
                s = s.substring(at + 1);
            }
            String host = s;
            String port = null;
            if (s.startsWith("[")) {
                int end = s.indexOf(']');
                if (end < 0 || (end + 1 < s.length() && s.charAt(end + 1) != ':')) {
                    throw new IllegalArgumentException(error);
                }
                host = s.substring(1, end);
                port = end + 1 < s.length() ? s.substring(end + 2) : null;
            } else if (s.indexOf(':') >= 0) {
                host = s.substring(0, s.indexOf(':'));
                port = s.substring(s.indexOf(':') + 1);
            }
            if (host.isEmpty() || user.isEmpty() || (port != null && !port.matches("[0-9]{1,5}"))) {
                throw new IllegalArgumentException(error);
            }
            int p = port == null ? 22 : Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException(error);
            }
            return new Jump(user, host, p);
        }
    }
}
