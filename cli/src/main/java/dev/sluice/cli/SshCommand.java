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
import dev.sluice.connection.session.StdioForward;
import dev.sluice.forwarding.DynamicForward;
import dev.sluice.forwarding.DynamicPortForwarder;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.LocalPortForwarder;
import dev.sluice.forwarding.PermitList;
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
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.Map;

/**
 * {@code sluice ssh}: OpenSSH's ssh for tunnels. Same option letters and ssh_config keywords ({@code -o}, {@code -F},
 * ~/.ssh/config then /etc/ssh/ssh_config, read by {@link SshConfigFile}; the first value of a keyword wins), same
 * messages on standard error, exit status 255 on connection, host key or authentication failure; {@code -G} prints
 * the resolved configuration ({@link ConfigDump}). With a command, a
 * subsystem ({@code -s}) or neither (a shell), it runs a session ({@link SessionRunner}) and exits with the remote
 * command's status; {@code -N} runs none. Log lines and errors go through {@link SshLog} (LogLevel, {@code -v},
 * {@code -q}, {@code -E}); ProxyCommand runs the transport over a process's stdin and stdout, {@code -W} makes this
 * process's stdin and stdout a direct-tcpip channel, and a pty session gets the escape character
 * ({@link EscapeFilter}).
 */
final class SshCommand {
    private static final String USAGE = "usage: sluice ssh [-46AaCGgNnsTtqv] [-c cipher_spec] [-D [bind_address:]port]\n"
            + "           [-E log_file] [-e escape_char] [-F configfile] [-i identity_file]\n"
            + "           [-J destination] [-L [bind_address:]port:host:hostport] [-l login_name] [-m mac_spec]\n"
            + "           [-o option] [-p port] [-R [bind_address:]port:host:hostport] [-W host:port]\n"
            + "           destination [command [argument ...]]";

    private final PrintStream out;
    /** Where ssh's log lines and error messages go: standard error, or the {@code -E} file. */
    private PrintStream err;
    /** Standard error itself, for what ssh writes there even with {@code -E} (the server's banner). */
    private final PrintStream stderr;
    /** The agent connection while authenticating, if there is an agent; it lives as long as the command. */
    private SshAgent agent;

    /** The system-wide ssh_config, read after the user's. */
    private final Path systemConfig;

    SshCommand(PrintStream out, PrintStream err) {
        this(out, err, Path.of("/etc/ssh/ssh_config"));
    }

    SshCommand(PrintStream out, PrintStream err, Path systemConfig) {
        this.out = out;
        this.err = err;
        this.stderr = err;
        this.systemConfig = systemConfig;
    }

    int run(String[] args) {
        SshOptions o = new SshOptions();
        String configFile = null;
        String logFile = null;
        boolean dump = false;
        try {
            Getopt opts = new Getopt("46AaCGgNnsTtqvE:F:e:p:l:i:L:R:D:J:o:c:m:W:", List.of(), args);
            for (Getopt.Option opt : opts.options()) {
                switch (opt.name()) {
                    case "E" -> logFile = opt.argument();
                    case "F" -> configFile = opt.argument();
                    case "G" -> dump = true;
                    default -> o.apply(opt);
                }
            }
            if (logFile != null && !openLogFile(logFile)) {
                return 1;
            }
            // As ssh: the command line's LogLevel applies while the config files are read.
            configureLog(o);
            if (o.verbosity > 0) {
                SshLog.info(TransportConfig.DEFAULT_SOFTWARE_VERSION + ", Java " + Runtime.version());
            }
            if (opts.operands().isEmpty()) {
                throw new Getopt.UsageException("missing destination");
            }
            o.destination(opts.operands().get(0));
            o.command = String.join(" ", opts.operands().subList(1, opts.operands().size()));
            readConfigs(o, configFile);
            o.resolve();
        } catch (Getopt.UsageException e) {
            err.println("sluice ssh: " + e.getMessage());
            err.println(USAGE);
            return 255;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 255;
        } catch (IOException e) {
            err.println(configFile != null && e instanceof NoSuchFileException
                    && e.getMessage().equals(configFile) ? "Can't open user config file " + configFile
                    + ": No such file or directory" : "sluice ssh: " + e);
            return 255;
        }
        if (!o.checkForwardAgentPath(err)) {
            return 255;
        }
        if (dump) {
            try {
                ConfigDump.print(o, out);
                return 0;
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 255;
            }
        }
        if (o.subsystem && o.command.isEmpty() && !o.noCommand) {
            err.println("You must specify a subsystem to invoke.");
            err.println(USAGE);
            return 255;
        }
        configureLog(o);
        return connectAndForward(o);
    }

    /**
     * {@code -E}: log lines and errors are appended to {@code file} instead of standard error, as ssh's; a new file is
     * readable by its owner only (ssh creates it 0600). ssh exits with status 1 when it cannot open the file.
     */
    private boolean openLogFile(String file) {
        try {
            Path path = Path.of(file);
            if (!Files.exists(path)) {
                try {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rw-------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // Someone else made it meanwhile: append to theirs, as O_APPEND|O_CREAT would.
                }
            }
            err = new PrintStream(new java.io.FileOutputStream(file, true), true, StandardCharsets.UTF_8);
            return true;
        } catch (NoSuchFileException e) {
            err.println("Couldn't open logfile " + file + ": No such file or directory");
            return false;
        } catch (IOException e) {
            // FileOutputStream says "FILE (reason)"; ssh says the reason alone, as strerror gives it.
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            int open = why.lastIndexOf(" (");
            err.println("Couldn't open logfile " + file + ": "
                    + (open >= 0 && why.endsWith(")") ? why.substring(open + 2, why.length() - 1) : why));
            return false;
        }
    }

    /** LogLevel as set so far; until it is given, ssh's INFO for the command's own messages. */
    private void configureLog(SshOptions o) {
        SshLog.configure(o.logLevelSet() ? SshLog.Level.parse(o.logLevel) : SshLog.Level.INFO, o.logLevelSet(), err);
    }

    /**
     * The config files in ssh's order: {@code -F file} alone ({@code none}: no file), else the user's
     * ~/.ssh/config and then the system file; all of them again when a {@code Match final} asked for a second pass.
     */
    private void readConfigs(SshOptions o, String configFile) throws IOException {
        boolean again = readConfigs(o, configFile, false);
        if (again) {
            o.host = o.matchHost(false).toLowerCase(Locale.ROOT);
            readConfigs(o, configFile, true);
        }
    }

    /**
     * As ssh for ~/.ssh/config: a file others may write, or that belongs to someone other than the user or root,
     * could make ssh run their commands (Match exec, ProxyCommand), so it is refused.
     */
    static void checkOwnerAndPermissions(Path file) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
        String owner = a.owner().getName();
        boolean othersWrite = a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        if (othersWrite || !(owner.equals(SshOptions.localUser()) || owner.equals("root"))) {
            throw new IllegalArgumentException("Bad owner or permissions on " + file);
        }
    }

    private boolean readConfigs(SshOptions o, String configFile, boolean finalPass) throws IOException {
        if (configFile != null) {
            return !configFile.equals("none") && SshConfigFile.read(Path.of(configFile), o, true, finalPass);
        }
        boolean again = false;
        Path user = home().resolve(".ssh/config");
        if (Files.isRegularFile(user)) {
            checkOwnerAndPermissions(user);
            again = SshConfigFile.read(user, o, true, finalPass);
        }
        if (Files.isRegularFile(systemConfig)) {
            again |= SshConfigFile.read(systemConfig, o, false, finalPass);
        }
        return again;
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
                o.batchMode, err).withCaSignatureAlgorithms(caSignatureAlgorithms(o.caSignatureAlgorithms));
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
                .withBannerSink(banner -> {
                    if (SshLog.enabled(SshLog.Level.INFO)) {
                        stderr.print(banner);
                    }
                })
                .withConnectTimeoutMillis(o.connectTimeoutSeconds * 1000)
                .withAuth(o.authConfig(err))
                .withConnection(ConnectionConfig.DEFAULT.withKeepAlive(
                        Duration.ofSeconds(o.serverAliveIntervalSeconds), o.serverAliveCountMax));
        Process proxy = null;
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
                    SshLog.error(describe(jump.user(), jump.host(), jump.port(), false, hopping.cause()));
                    client.group().shutdownGracefully();
                    return 255;
                }
                via = hopping.getNow();
            }
            Future<SshConnection> connecting;
            if (o.proxyCommand != null) {
                try {
                    proxy = startProxyCommand(o);
                } catch (IllegalArgumentException | IOException e) {
                    SshLog.error(e.getMessage());
                    client.group().shutdownGracefully();
                    return 255;
                }
                connecting = client.connect(target, proxy.getInputStream(), proxy.getOutputStream())
                        .awaitUninterruptibly();
            } else {
                connecting = (via == null ? client.connect(target) : client.connect(target, via))
                        .awaitUninterruptibly();
            }
            // ConnectionAttempts: as ssh, only a TCP connection that could not be made is tried again, a second apart.
            for (int attempt = 1; attempt < o.connectionAttempts && via == null && proxy == null
                    && !connecting.isSuccess()
                    && (connecting.cause() instanceof ConnectException
                            || connecting.cause() instanceof ConnectTimeoutException); attempt++) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                connecting = client.connect(target).awaitUninterruptibly();
            }
            if (!connecting.isSuccess()) {
                closeAgent();
                SshLog.error(describe(o.user, o.host, o.port, proxy != null, connecting.cause()));
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
            if (o.stdioForwardHost != null) {
                return stdioForward(o, connection, client, bye);
            }
            if (!startForwards(o, connection, verifier)) {
                connection.close().awaitUninterruptibly();
                client.group().shutdownGracefully();
                return 255;
            }
            if (!o.noCommand) {
                int status = new SessionRunner(err, stderr).run(connection, o.sessionSpec(o.agentToForward(),
                        err == stderr), o.host);
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
        } finally {
            if (proxy != null) {
                // As ssh at exit (it sends SIGHUP): the proxy command ends with the connection.
                proxy.destroy();
            }
        }
    }

    /**
     * Starts ProxyCommand as ssh does: {@code exec COMMAND} run by the user's shell ({@code $SHELL}, else /bin/sh),
     * with %h %p %r %n %% expanded; its standard error is ours, its standard input and output carry the connection.
     */
    private Process startProxyCommand(SshOptions o) throws IOException {
        String command = "exec " + o.proxyCommandLine();
        String shell = System.getenv("SHELL");
        SshLog.debug1("Executing proxy command: " + command);
        return new ProcessBuilder(shell == null || shell.isEmpty() ? "/bin/sh" : shell, "-c", command)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** {@code -W}: copies stdin and stdout through a direct-tcpip channel until it closes; 255 if it cannot open. */
    private int stdioForward(SshOptions o, SshConnection connection, SshClient client, Thread bye) {
        Future<Void> forwarding = StdioForward.open(connection, o.stdioForwardHost, o.stdioForwardPort,
                new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out))
                .awaitUninterruptibly();
        int status = 0;
        if (!forwarding.isSuccess()) {
            SshLog.error(describe(o.user, o.host, o.port, false, forwarding.cause()));
            status = 255;
        }
        Runtime.getRuntime().removeShutdownHook(bye);
        TransportPipeline.disconnect(connection.parent(), DisconnectReason.BY_APPLICATION, "disconnected by user")
                .awaitUninterruptibly(1000);
        client.group().shutdownGracefully();
        return status;
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
            SshLog.debug1("Local connections to " + (spec.bindPath() != null ? spec.bindPath()
                    : spec.bindAddress() != null ? spec.bindAddress() : o.gatewayPorts ? "*" : "LOCALHOST") + ":"
                    + spec.bindPort() + " forwarded to remote address "
                    + (spec.connectPath() != null ? spec.connectPath() : spec.host()) + ":" + spec.hostPort());
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
        List<Future<?>> replies = new ArrayList<>();
        for (RemoteForward spec : o.remoteForwards) {
            RemotePortForwarder forwarder = new RemotePortForwarder(connection, spec, o.permitRemoteOpen);
            replies.add(spec.bindPath() != null ? forwarder.startPath() : forwarder.start());
        }
        for (int i = 0; i < replies.size(); i++) {
            RemoteForward spec = o.remoteForwards.get(i);
            Future<?> reply = replies.get(i).awaitUninterruptibly();
            if (reply.isSuccess()) {
                if (spec.bindPath() == null && spec.bindPort() == 0 && o.showsInfo()) {
                    err.println("Allocated port " + reply.getNow() + " for remote forward to "
                            + spec.destination());
                }
            } else if (!connection.parent().isActive()) {
                return true; // the main loop reports why the connection ended
            } else if (o.exitOnForwardFailure) {
                err.println("Error: remote port forwarding failed for listen " + spec.listenDescription());
                return false;
            } else if (o.showsInfo()) {
                err.println("Warning: remote port forwarding failed for listen " + spec.listenDescription());
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
        List<Path> out = new ArrayList<>(o.certificatePaths);
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

    /**
     * CASignatureAlgorithms (both roles) with OpenSSH's list syntax and its error text ("Bad key types 'x'."); the
     * default, null, is OpenSSH's without the security-key algorithms, so SHA-1 {@code ssh-rsa} is left out.
     */
    static List<String> caSignatureAlgorithms(String spec) {
        if (spec == null) {
            return PublicKeys.defaultSignatureAlgorithms();
        }
        try {
            return AlgorithmList.apply(PublicKeys.defaultSignatureAlgorithms(),
                    PublicKeys.supportedSignatureAlgorithms(), spec, "CASignatureAlgorithms");
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

    /**
     * ssh's message for a connection that failed; {@code proxied} when it ran over a ProxyCommand, whose peer ssh
     * calls "UNKNOWN port 65535" (it has no socket address).
     */
    private static String describe(String user, String host, int port, boolean proxied, Throwable cause) {
        String peer = proxied ? "UNKNOWN port 65535" : host + " port " + port;
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
                return "Received disconnect from " + peer + ":" + closed.reason().code() + ": " + closed.message();
            }
            if (closed != null) {
                return "ssh: " + closed.message();
            }
            if (SshClient.KEX_IDENTIFICATION_CLOSED.equals(c.getMessage())) {
                return c.getMessage() + "\nConnection closed by " + peer;
            }
            return "Connection closed by " + peer;
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
        /**
         * Keywords OpenSSH 9.2 knows that sluice does not implement: accepted and ignored (ssh ignores the ones it
         * was built without in the same way), so existing config files keep working. Anything else is an error.
         */
        static final Set<String> IGNORED_KEYWORDS = Set.of("addkeystoagent", "addressfamily", "bindaddress",
                "bindinterface", "canonicaldomains", "canonicalizefallbacklocal", "canonicalizehostname",
                "canonicalizemaxdots", "canonicalizepermittedcnames", "checkhostip",
                "clearallforwardings", "controlmaster", "controlpath", "controlpersist", "enableescapecommandline",
                "enablesshkeysign", "fingerprinthash", "forkafterauthentication", "forwardx11",
                "forwardx11timeout", "forwardx11trusted", "globalknownhostsfile",
                "gssapiauthentication", "gssapidelegatecredentials", "gssapikeyexchange", "gssapiclientidentity",
                "gssapiserveridentity", "gssapitrustdns", "gssapirenewalforcesrekey", "gssapikexalgorithms",
                "hostbasedacceptedalgorithms", "hostbasedkeytypes", "hostbasedauthentication", "hostkeyalias",
                "ipqos", "kbdinteractivedevices", "knownhostscommand", "localcommand", "logverbose",
                "nohostauthenticationforlocalhost", "permitlocalcommand", "pkcs11provider",
                "proxyusefdpass", "remotecommand", "requiredrsasize", "revokedhostkeys", "securitykeyprovider",
                "syslogfacility", "tcpkeepalive", "tunnel",
                "tunneldevice", "updatehostkeys", "verifyhostkeydns", "visualhostkey", "xauthlocation",
                // Deprecated or removed keywords that ssh 9.2 still accepts without effect.
                "cipher", "protocol", "useroaming", "fallbacktorsh", "usersh", "useprivilegedport",
                "rsaauthentication", "rhostsrsaauthentication", "compressionlevel", "dsaauthentication",
                "kerberosauthentication", "kerberostgtpassing", "afstokenpassing", "rhostsauthentication",
                "skeyauthentication", "tisauthentication", "globalknownhostsfile2", "userknownhostsfile2",
                "identityfile2", "smartcarddevice");
        /**
         * The keywords whose every value counts (a value already there is not added twice, as ssh's add_* functions
         * do, which matters on the second pass that {@code Match final} asks for); for every other keyword the first
         * value obtained wins.
         */
        private static final Set<String> CUMULATIVE = Set.of("identityfile", "certificatefile", "localforward",
                "remoteforward", "dynamicforward", "sendenv");

        /** The destination as given on the command line (%n); Host lines match it. */
        String originalHost;
        /** The HostName keyword, unexpanded; null when not set. */
        String hostName;
        /** The host to connect to (HostName with %h expanded, lower case), set by {@link #resolve}. */
        String host;
        /** The remote user: -l, User, or the destination's user@; the local user after {@link #resolve}. */
        String user;
        int port = 22;
        /** IdentityFile as written (ssh -G prints it so); expanded into {@link #identityFiles} by resolve. */
        final List<String> identityFileSpecs = new ArrayList<>();
        final List<Path> identityFiles = new ArrayList<>();
        final List<String> certificateFiles = new ArrayList<>();
        /** CertificateFile names with tokens and {@code ~} expanded, once {@link #resolve()} ran. */
        final List<Path> certificatePaths = new ArrayList<>();
        final List<LocalForward> forwards = new ArrayList<>();
        final List<RemoteForward> remoteForwards = new ArrayList<>();
        final List<DynamicForward> dynamicForwards = new ArrayList<>();
        List<Jump> jumps = List.of();
        int streamLocalBindMask = LocalPortForwarder.DEFAULT_STREAM_LOCAL_BIND_MASK;
        boolean streamLocalBindUnlink;
        /** PermitRemoteOpen: where reverse dynamic forwardings may connect. */
        PermitList permitRemoteOpen = PermitList.ANY;
        String proxyJump;
        String proxyCommand;
        /** EscapeChar / {@code -e}: a byte value, or -1 for none. */
        int escapeChar = '~';
        /** {@code -W}: the host and port that stdin and stdout are forwarded to, or null. */
        String stdioForwardHost;
        int stdioForwardPort;
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
        String pubkeyAcceptedAlgorithms;
        /** CASignatureAlgorithms as written; null for the default. */
        String caSignatureAlgorithms;
        String macs;
        boolean compression;
        RekeyLimit rekeyLimit;
        String strictHostKeyChecking = "ask";
        /** UserKnownHostsFile as written; expanded into {@link #userKnownHostsFiles} by resolve. */
        final List<String> userKnownHostsSpecs = new ArrayList<>();
        final List<Path> userKnownHostsFiles = new ArrayList<>();
        /** The expanded UserKnownHostsFile names as text, which ssh -G prints without normalising them. */
        final List<String> userKnownHostsExpanded = new ArrayList<>();
        boolean hashKnownHosts;
        boolean batchMode;
        boolean exitOnForwardFailure;
        boolean gatewayPorts;
        String logLevel = "ERROR";
        int verbosity;
        int connectTimeoutSeconds;
        int connectionAttempts = 1;
        int serverAliveIntervalSeconds;
        int serverAliveCountMax = ConnectionConfig.DEFAULT_KEEPALIVE_COUNT_MAX;
        List<String> preferredAuthentications = ClientAuthConfig.DEFAULT_PREFERRED;
        boolean preferredAuthenticationsSet;
        boolean pubkeyAuthentication = true;
        boolean passwordAuthentication = true;
        boolean kbdInteractiveAuthentication = true;
        int numberOfPasswordPrompts = 3;
        boolean identitiesOnly;
        String identityAgent;
        /** ForwardAgent's flag: -A, -a, or the keyword's first value (a path counts as yes). */
        boolean forwardAgent;
        /** ForwardAgent's socket path when it named one (ssh -G prints it instead of the flag); expanded by resolve. */
        String forwardAgentPath;
        String ignoreUnknown;
        /** Keywords that already have their value (first obtained value wins, as in ssh). */
        private final Set<String> seen = new HashSet<>();

        void apply(Getopt.Option opt) {
            switch (opt.name()) {
                case "4", "6" -> {
                    // The address family follows from the destination; nothing to choose here.
                }
                // As ssh, the letters set the flag outright (the last one wins); a ForwardAgent path still counts.
                case "A" -> letter("forwardagent", () -> forwardAgent = true);
                case "a" -> letter("forwardagent", () -> forwardAgent = false);
                case "T" -> letter("requesttty", () -> requestTty = "no");
                case "t" -> letter("requesttty", () -> requestTty = requestTty.equals("yes")
                        || requestTty.equals("force") ? "force" : "yes");
                case "n" -> letter("stdinnull", () -> nullStdin = true);
                case "s" -> letter("sessiontype", () -> subsystem = true);
                case "N" -> letter("sessiontype", () -> noCommand = true);
                case "C" -> letter("compression", () -> compression = true);
                case "g" -> letter("gatewayports", () -> gatewayPorts = true);
                case "q" -> letter("loglevel", () -> logLevel = "QUIET");
                case "v" -> letter("loglevel", () -> logLevel = ++verbosity == 1 ? "DEBUG"
                        : verbosity == 2 ? "DEBUG2" : "DEBUG3");
                case "p" -> set("Port", opt.argument());
                case "l" -> set("User", opt.argument());
                case "i" -> set("IdentityFile", opt.argument());
                // The letters report a bad spec in their own words ("Bad local forwarding specification 'x'").
                case "L" -> forwards.add(LocalForward.parse(opt.argument()));
                case "R" -> remoteForwards.add(RemoteForward.parse(opt.argument()));
                case "D" -> dynamicForwards.add(DynamicForward.parse(opt.argument()));
                case "J" -> {
                    if (jumpOption) {
                        throw new IllegalArgumentException("Only a single -J option is permitted (use commas to"
                                + " separate multiple jump hops)");
                    }
                    jumpOption = true;
                    jumps = Jump.parseList(opt.argument(), "Invalid -J argument");
                    proxyJump = opt.argument();
                    seen.add("proxyjump");
                }
                case "W" -> stdioForward(opt.argument());
                case "e" -> {
                    try {
                        int c = EscapeFilter.parse(opt.argument());
                        letter("escapechar", () -> escapeChar = c);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("Bad escape character '" + opt.argument() + "'.", e);
                    }
                }
                case "c" -> set("Ciphers", opt.argument());
                case "m" -> set("MACs", opt.argument());
                case "o" -> option(opt.argument());
                default -> throw new IllegalStateException(opt.name());
            }
        }

        /** An option letter sets its keyword outright, as ssh's getopt loop does, and config files cannot undo it. */
        private void letter(String keyword, Runnable effect) {
            effect.run();
            seen.add(keyword);
        }

        /** Validates an algorithm list now, so a bad one fails before connecting, in ssh's words. */
        private static String checked(String spec, Function<String, List<String>> parse, String where, int line) {
            try {
                parse.apply(spec);
                return spec;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " line " + line + ": " + e.getMessage(), e);
            }
        }

        /**
         * {@code -W host:port}: stdin and stdout become a direct-tcpip channel to it, as ssh's; like ssh it implies no
         * session and no other forwards, and failure to open the channel ends the command.
         */
        private void stdioForward(String spec) {
            if (stdioForwardHost != null) {
                throw new IllegalArgumentException("stdio forward already specified");
            }
            String host;
            String port;
            if (spec.startsWith("[") && spec.indexOf("]:") > 0) {
                host = spec.substring(1, spec.indexOf("]:"));
                port = spec.substring(spec.indexOf("]:") + 2);
            } else if (spec.indexOf(':') > 0 && spec.indexOf(':') == spec.lastIndexOf(':')) {
                host = spec.substring(0, spec.indexOf(':'));
                port = spec.substring(spec.indexOf(':') + 1);
            } else {
                throw new IllegalArgumentException("Bad stdio forwarding specification '" + spec + "'");
            }
            if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("Bad stdio forwarding specification '" + spec + "'");
            }
            stdioForwardHost = host;
            stdioForwardPort = Integer.parseInt(port);
            letter("requesttty", () -> requestTty = "no");
            letter("exitonforwardfailure", () -> exitOnForwardFailure = true);
        }

        void destination(String d) {
            int at = d.lastIndexOf('@');
            if (at >= 0) {
                if (user == null) {
                    user = d.substring(0, at);
                    seen.add("user");
                }
                d = d.substring(at + 1);
            }
            if (d.startsWith("ssh://")) {
                throw new IllegalArgumentException("sluice ssh: ssh:// URIs are not supported yet");
            }
            originalHost = d;
            host = d;
        }

        private void option(String o) {
            int eq = o.indexOf('=');
            int sp = o.indexOf(' ');
            int cut = eq >= 0 && (sp < 0 || eq < sp) ? eq : sp;
            if (cut < 0) {
                throw new IllegalArgumentException("command-line: line 0: Bad configuration option: " + o);
            }
            String keyword = o.substring(0, cut).trim().toLowerCase(Locale.ROOT);
            if (keyword.equals("host") || keyword.equals("match") || keyword.equals("include")) {
                throw new IllegalArgumentException((keyword.equals("include") ? "Include" : "Host")
                        + " directive not supported as a command-line option");
            }
            String rest = o.substring(cut + 1).trim();
            if (rest.startsWith("=")) {
                rest = rest.substring(1).trim();
            }
            set(keyword, SshConfigFile.restOfLine(keyword, rest, "command-line", 0), "command-line", 0, true);
        }

        private void set(String keyword, String value) {
            set(keyword, List.of(value), "command-line", 0, true);
        }

        /**
         * One keyword line from the command line or a config file. Its arguments are always checked (ssh checks the
         * lines of inactive Host blocks too); the value is kept when {@code active} and the keyword has none yet.
         *
         * @throws IllegalArgumentException with ssh's message ("FILE line N: …") for a bad line
         */
        void set(String keyword, List<String> args, String where, int line, boolean active) {
            String k = keyword.toLowerCase(Locale.ROOT);
            boolean store = active && (CUMULATIVE.contains(k) || !seen.contains(k));
            KeywordArgs a = new KeywordArgs(k, args, where, line);
            switch (k) {
                case "port" -> {
                    int p = a.port();
                    if (store) {
                        port = p;
                    }
                }
                case "user" -> {
                    String u = a.one();
                    if (store) {
                        user = u;
                    }
                }
                case "hostname" -> {
                    String h = a.one();
                    if (store) {
                        hostName = h;
                    }
                }
                case "identityfile" -> {
                    String f = a.one();
                    if (store && !identityFileSpecs.contains(f)) {
                        identityFileSpecs.add(f);
                    }
                }
                case "certificatefile" -> {
                    String f = a.one();
                    if (store && !certificateFiles.contains(f)) {
                        certificateFiles.add(f);
                    }
                }
                case "localforward" -> {
                    String spec = a.forwardSpec();
                    LocalForward f = a.parsed(() -> LocalForward.parse(spec));
                    if (store && !forwards.contains(f)) {
                        forwards.add(f);
                    }
                }
                case "remoteforward" -> {
                    String spec = a.forwardSpec();
                    RemoteForward f = a.parsed(() -> RemoteForward.parse(spec));
                    if (store && !remoteForwards.contains(f)) {
                        remoteForwards.add(f);
                    }
                }
                case "dynamicforward" -> {
                    DynamicForward f = a.parsed(() -> DynamicForward.parse(a.one()));
                    if (store && !dynamicForwards.contains(f)) {
                        dynamicForwards.add(f);
                    }
                }
                case "proxyjump" -> {
                    String v = a.one();
                    List<Jump> hops = Jump.parseList(v, where + " line " + line + ": Invalid ProxyJump \"" + v + "\"");
                    if (store && !seen.contains("proxycommand")) {
                        jumps = hops;
                        proxyJump = v.equalsIgnoreCase("none") ? null : v;
                    }
                }
                case "proxycommand" -> {
                    String v = String.join(" ", a.atLeastOne());
                    // As ssh 9.2: a jump host obtained first wins; "ProxyJump none" does not stop a ProxyCommand.
                    if (store && jumps.isEmpty()) {
                        proxyCommand = v.equalsIgnoreCase("none") ? null : v;
                    }
                }
                case "ciphers" -> {
                    String v = checked(a.one(), s -> AlgorithmList.apply(Ciphers.defaultNames(),
                            Ciphers.defaultNames(), s, "cipher"), where, line);
                    if (store) {
                        ciphers = v;
                    }
                }
                case "kexalgorithms" -> {
                    String v = checked(a.one(), SshCommand::kexAlgorithms, where, line);
                    if (store) {
                        kexAlgorithms = v;
                    }
                }
                case "hostkeyalgorithms" -> {
                    String v = checked(a.one(), SshCommand::hostKeyAlgorithms, where, line);
                    if (store) {
                        hostKeyAlgorithms = v;
                    }
                }
                case "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes" -> {
                    String v = checked(a.one(), SshCommand::hostKeyAlgorithms, where, line);
                    if (active && seen.add("pubkeyacceptedalgorithms")) {
                        pubkeyAcceptedAlgorithms = v;
                    }
                }
                case "casignaturealgorithms" -> {
                    String v = checked(a.one(), SshCommand::caSignatureAlgorithms, where, line);
                    if (store) {
                        caSignatureAlgorithms = v;
                    }
                }
                case "macs" -> {
                    String v = checked(a.one(), s -> AlgorithmList.apply(Macs.defaultNames(), supportedMacs(), s,
                            "MAC"), where, line);
                    if (store) {
                        macs = v;
                    }
                }
                case "compression" -> {
                    boolean v = a.flag();
                    if (store) {
                        compression = v;
                    }
                }
                case "rekeylimit" -> {
                    String spec = String.join(" ", a.oneOrTwo());
                    RekeyLimit v = a.parsed(() -> RekeyLimit.parse(spec));
                    if (store) {
                        rekeyLimit = v;
                    }
                }
                case "stricthostkeychecking" -> {
                    String v = a.choice("yes", "no", "ask", "accept-new", "off", "true", "false");
                    if (store) {
                        strictHostKeyChecking = v;
                    }
                }
                case "userknownhostsfile" -> {
                    List<String> v = a.atLeastOne();
                    if (store) {
                        userKnownHostsSpecs.addAll(v);
                    }
                }
                case "hashknownhosts" -> {
                    boolean v = a.flag();
                    if (store) {
                        hashKnownHosts = v;
                    }
                }
                case "batchmode" -> {
                    boolean v = a.flag();
                    if (store) {
                        batchMode = v;
                    }
                }
                case "exitonforwardfailure" -> {
                    boolean v = a.flag();
                    if (store) {
                        exitOnForwardFailure = v;
                    }
                }
                case "gatewayports" -> {
                    boolean v = a.flag();
                    if (store) {
                        gatewayPorts = v;
                    }
                }
                case "loglevel" -> {
                    String v = a.choice("QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2",
                            "DEBUG3");
                    if (store) {
                        // ssh's name for DEBUG1 is DEBUG (ssh -G prints it so).
                        SshLog.Level parsed = SshLog.Level.parse(v);
                        logLevel = parsed == SshLog.Level.DEBUG1 ? "DEBUG" : parsed.name();
                    }
                }
                case "connecttimeout" -> {
                    int v = a.seconds();
                    if (store) {
                        connectTimeoutSeconds = v;
                    }
                }
                case "streamlocalbindmask" -> {
                    String v = a.one();
                    int mask = a.parsed(() -> Integer.parseInt(v, 8));
                    if (store) {
                        streamLocalBindMask = mask;
                    }
                }
                case "permitremoteopen" -> {
                    PermitList v = a.parsed(() -> PermitList.parsePermitRemoteOpen(a.atLeastOne()));
                    if (store) {
                        permitRemoteOpen = v;
                    }
                }
                case "streamlocalbindunlink" -> {
                    boolean v = a.flag();
                    if (store) {
                        streamLocalBindUnlink = v;
                    }
                }
                case "connectionattempts" -> {
                    int v = a.integer();
                    if (store) {
                        connectionAttempts = v;
                    }
                }
                case "serveraliveinterval" -> {
                    int v = a.seconds();
                    if (store) {
                        serverAliveIntervalSeconds = v;
                    }
                }
                case "serveralivecountmax" -> {
                    int v = a.integer();
                    if (store) {
                        serverAliveCountMax = v;
                    }
                }
                case "preferredauthentications" -> {
                    String v = a.one();
                    if (store) {
                        preferredAuthentications = List.of(v.split(","));
                        preferredAuthenticationsSet = true;
                    }
                }
                case "pubkeyauthentication" -> {
                    boolean v = a.flag();
                    if (store) {
                        pubkeyAuthentication = v;
                    }
                }
                case "passwordauthentication" -> {
                    boolean v = a.flag();
                    if (store) {
                        passwordAuthentication = v;
                    }
                }
                case "kbdinteractiveauthentication", "challengeresponseauthentication" -> {
                    boolean v = a.flag();
                    if (active && seen.add("kbdinteractiveauthentication")) {
                        kbdInteractiveAuthentication = v;
                    }
                }
                case "numberofpasswordprompts" -> {
                    int v = a.integer();
                    if (store) {
                        numberOfPasswordPrompts = v;
                    }
                }
                case "identitiesonly" -> {
                    boolean v = a.flag();
                    if (store) {
                        identitiesOnly = v;
                    }
                }
                case "identityagent" -> {
                    String v = a.one();
                    if (store) {
                        identityAgent = v;
                    }
                }
                case "forwardagent" -> {
                    String v = a.one();
                    boolean flag = !v.equalsIgnoreCase("no") && !v.equalsIgnoreCase("false");
                    boolean path = flag && !v.equalsIgnoreCase("yes") && !v.equalsIgnoreCase("true");
                    if (path && v.contains("${")) {
                        try {
                            expandTokens(v.replace("%", "%%"), "", true);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(e.getMessage().split("\n")[0] + "\n" + where
                                    + " line " + line + ": Invalid environment expansion " + v + ".", e);
                        }
                    }
                    if (store) {
                        forwardAgent = flag;
                    }
                    if (active && path && forwardAgentPath == null) {
                        forwardAgentPath = v;
                    }
                }
                case "requesttty" -> {
                    String v = a.choice("no", "yes", "force", "auto", "true", "false");
                    if (store) {
                        requestTty = v.equals("true") ? "yes" : v.equals("false") ? "no" : v;
                    }
                }
                case "sessiontype" -> {
                    String v = a.choice("none", "subsystem", "default");
                    if (store) {
                        noCommand = v.equals("none");
                        subsystem = v.equals("subsystem");
                    }
                }
                case "stdinnull" -> {
                    boolean v = a.flag();
                    if (store) {
                        nullStdin = v;
                    }
                }
                case "sendenv" -> {
                    List<String> v = a.atLeastOne();
                    if (store) {
                        for (String pattern : v) {
                            if (pattern.startsWith("-")) {
                                sendEnv.removeIf(p -> Patterns.matches(p, pattern.substring(1)));
                            } else {
                                sendEnv.add(pattern);
                            }
                        }
                    }
                }
                case "setenv" -> {
                    Map<String, String> v = new LinkedHashMap<>();
                    for (String pair : a.atLeastOne()) {
                        int eq = pair.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(where + " line " + line + ": Invalid SetEnv.");
                        }
                        v.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                    if (store) {
                        setEnv.putAll(v);
                    }
                }
                case "escapechar" -> {
                    String v = a.one();
                    int c;
                    try {
                        c = EscapeFilter.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + " line " + line + ": Bad escape character.", e);
                    }
                    if (store) {
                        escapeChar = c;
                    }
                }
                case "ignoreunknown" -> {
                    String v = a.one();
                    if (store) {
                        ignoreUnknown = v;
                    }
                }
                default -> {
                    if (!IGNORED_KEYWORDS.contains(k)
                            && (ignoreUnknown == null || !Patterns.matchesList(k, ignoreUnknown.toLowerCase(
                                    Locale.ROOT)))) {
                        throw new IllegalArgumentException(where + ": line " + line
                                + ": Bad configuration option: " + k);
                    }
                }
            }
            if (store) {
                seen.add(k);
            }
        }

        /** Whether ssh's INFO messages ("Allocated port …", warnings) show: not with -q or LogLevel QUIET/FATAL. */
        boolean showsInfo() {
            return !logLevel.equalsIgnoreCase("QUIET") && !logLevel.equalsIgnoreCase("FATAL");
        }

        SessionRunner.Spec sessionSpec(Path agentToForward, boolean logOnStderr) {
            return new SessionRunner.Spec(command, subsystem, requestTty, nullStdin, sendEnv, setEnv,
                    logLevel.equalsIgnoreCase("QUIET"), agentToForward, escapeChar, logOnStderr);
        }

        /**
         * ssh's check of a ForwardAgent path once the configuration is read (before -G prints it): a path that does
         * not exist gets "Cannot forward agent socket path" on {@code err}, and is fatal with ExitOnForwardFailure.
         *
         * @return false when ssh would exit with 255
         */
        boolean checkForwardAgentPath(PrintStream err) {
            if (!forwardAgent || forwardAgentPath == null || Files.exists(Path.of(forwardAgentPath))) {
                return true;
            }
            err.println("Cannot forward agent socket path \"" + forwardAgentPath + "\": No such file or directory");
            return !exitOnForwardFailure;
        }

        /**
         * The agent socket to forward, as ssh decides: ForwardAgent's path, else SSH_AUTH_SOCK when an agent answers
         * there (ssh quietly forwards nothing otherwise); null when not forwarding.
         */
        Path agentToForward() {
            if (!forwardAgent) {
                return null;
            }
            String socket = forwardAgentPath;
            if (socket == null || socket.startsWith("$") && !socket.startsWith("${")) {
                String variable = socket == null ? "SSH_AUTH_SOCK" : socket.substring(1);
                String value = System.getenv(variable);
                if (socket == null && (value == null || !agentAnswers(Path.of(value)))) {
                    return null;
                }
                socket = value == null ? socket : value;
            }
            return Path.of(socket);
        }

        private static boolean agentAnswers(Path socket) {
            try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(
                    java.net.UnixDomainSocketAddress.of(socket))) {
                return c.isConnected();
            } catch (IOException | RuntimeException e) {
                return false;
            }
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

        /** Whether LogLevel was given (by -q, -v or the keyword); ssh -G prints ssh's INFO otherwise. */
        boolean logLevelSet() {
            return seen.contains("loglevel");
        }

        /** The destination as given on the command line, which Host lines and {@code Match originalhost} match. */
        String originalHost() {
            return originalHost;
        }

        /**
         * The host {@code Match host} matches: the HostName so far with %h expanded, or on the final pass the
         * resolved host (as ssh's match_cfg_line).
         */
        String matchHost(boolean finalPass) {
            if (finalPass && host != null) {
                return host;
            }
            return hostName == null ? originalHost : expandHostName();
        }

        /** The remote user as known so far: User, -l or user@, else the local user. */
        String effectiveUser() {
            return user == null ? localUser() : user;
        }

        private String expandHostName() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < hostName.length(); i++) {
                char c = hostName.charAt(i);
                if (c != '%') {
                    b.append(c);
                    continue;
                }
                char t = i + 1 < hostName.length() ? hostName.charAt(++i) : 0;
                if (t == 'h') {
                    b.append(originalHost);
                } else if (t == '%') {
                    b.append('%');
                } else {
                    throw new IllegalArgumentException("vdollar_percent_expand: unknown key %" + t
                            + "\npercent_expand: failed");
                }
            }
            return b.toString();
        }

        /** ProxyCommand with ssh's tokens for it expanded: %h %p %r %n and %%. */
        String proxyCommandLine() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < proxyCommand.length(); i++) {
                char c = proxyCommand.charAt(i);
                if (c != '%') {
                    b.append(c);
                    continue;
                }
                char t = i + 1 < proxyCommand.length() ? proxyCommand.charAt(++i) : 0;
                b.append(switch (t) {
                    case '%' -> "%";
                    case 'h' -> host;
                    case 'p' -> Integer.toString(port);
                    case 'r' -> user;
                    case 'n' -> originalHost;
                    default -> throw new IllegalArgumentException("vdollar_percent_expand: unknown key %" + t
                            + "\npercent_expand: failed");
                });
            }
            return b.toString();
        }

        /**
         * Settles what the config files left open, as ssh does after reading them: the host (HostName with %h, lower
         * case), the user, and the tokens, {@code ~} and {@code ${VAR}} in the file names ssh expands.
         */
        void resolve() {
            host = (hostName == null ? originalHost : expandHostName()).toLowerCase(Locale.ROOT);
            user = effectiveUser();
            identityFiles.clear();
            for (String f : identityFileSpecs) {
                identityFiles.add(Path.of(expandTokens(tildeExpand(f), host, true)));
            }
            certificatePaths.clear();
            for (String f : certificateFiles) {
                certificatePaths.add(Path.of(expandTokens(tildeExpand(f), host, true)));
            }
            userKnownHostsFiles.clear();
            userKnownHostsExpanded.clear();
            for (String f : userKnownHostsSpecs) {
                if (!f.equalsIgnoreCase("none")) {
                    userKnownHostsExpanded.add(expandTokens(tildeExpand(f), host, true));
                    userKnownHostsFiles.add(Path.of(userKnownHostsExpanded.get(userKnownHostsExpanded.size() - 1)));
                }
            }
            if (forwardAgentPath != null && !(forwardAgentPath.startsWith("$") && !forwardAgentPath.startsWith("${"))) {
                forwardAgentPath = expandTokens(tildeExpand(forwardAgentPath), host, true);
            }
            if (identityAgent != null && !identityAgent.equalsIgnoreCase("none")
                    && !identityAgent.equals("SSH_AUTH_SOCK") && !identityAgent.startsWith("$")) {
                identityAgent = expandTokens(tildeExpand(identityAgent), host, true);
            }
        }

        /**
         * ssh's percent tokens for file names and {@code Match exec}: %% %C %d %h %i %k %L %l %n %p %r %u, and with
         * {@code env} also {@code ${NAME}} from the environment. An unknown token is an error, in ssh's words.
         */
        String expandTokens(String s, String remoteHost, boolean env) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (env && c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                    int end = s.indexOf('}', i);
                    String name = end < 0 ? "" : s.substring(i + 2, end);
                    String value = name.isEmpty() ? null : System.getenv(name);
                    if (value == null) {
                        throw new IllegalArgumentException("vdollar_percent_expand: env var ${" + name
                                + "} has no value\npercent_dollar_expand: failed");
                    }
                    b.append(value);
                    i = end;
                    continue;
                }
                if (c != '%') {
                    b.append(c);
                    continue;
                }
                char t = i + 1 < s.length() ? s.charAt(++i) : 0;
                String r = effectiveUser();
                b.append(switch (t) {
                    case '%' -> "%";
                    case 'C' -> connectionHash(remoteHost, r);
                    case 'd' -> home().toString();
                    case 'h' -> remoteHost;
                    case 'i' -> Integer.toString(localUid());
                    case 'k', 'n' -> originalHost;
                    case 'L' -> localHostName().split("\\.", 2)[0];
                    case 'l' -> localHostName();
                    case 'p' -> Integer.toString(port);
                    case 'r' -> r;
                    case 'u' -> localUser();
                    default -> throw new IllegalArgumentException("vdollar_percent_expand: unknown key %" + t
                            + "\npercent_dollar_expand: failed");
                });
            }
            return b.toString();
        }

        /** %C: the SHA-1 of %l%h%p%r in hex, as ssh 9.2 computes it. */
        private String connectionHash(String remoteHost, String remoteUser) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-1").digest((localHostName() + remoteHost + port + remoteUser)
                        .getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        static String localUser() {
            return System.getProperty("user.name");
        }

        static Path home() {
            return Path.of(System.getProperty("user.home"));
        }

        /** {@code ~} and {@code ~/…} as the user's home directory. */
        static String tildeExpand(String f) {
            if (f.equals("~")) {
                return home().toString();
            }
            return f.startsWith("~/") ? home().resolve(f.substring(2)).toString() : f;
        }

        /** gethostname(2), which ssh uses for %l: the kernel's name, not a DNS answer. */
        private static String localHostName() {
            try {
                return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException e) {
                try {
                    return InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException u) {
                    return "localhost";
                }
            }
        }

        /** The process's uid (%i): the owner of /proc/self. */
        private static int localUid() {
            try {
                return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            } catch (IOException | UnsupportedOperationException e) {
                return -1;
            }
        }

        List<Path> knownHostsFiles() {
            return userKnownHostsSpecs.isEmpty()
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
