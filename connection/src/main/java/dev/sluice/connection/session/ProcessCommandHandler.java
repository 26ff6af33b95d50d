package dev.sluice.connection.session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link CommandHandler}: runs each session as a child process of the server, as the server process's own
 * OS user (Sluice does not switch users). An exec or subsystem runs {@code /bin/sh -c command}; a shell is the user's
 * login shell from {@code /etc/passwd} started with {@code -l}, without a pseudo-terminal. The environment is built
 * from scratch as sshd builds it: USER, LOGNAME, HOME, SHELL, PATH, MAIL, SSH_CLIENT, SSH_CONNECTION,
 * SSH_ORIGINAL_COMMAND under a ForceCommand, then the variables the client sent that AcceptEnv let through. The working
 * directory is the home directory.
 */
public final class ProcessCommandHandler implements CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(ProcessCommandHandler.class);
    /** sshd's default PATH for ordinary users and for root (Debian's build). */
    private static final String USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/games";
    private static final String ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String user;
    private final Path home;
    private final String shell;

    /** Runs commands as the current process's user, with that user's home and login shell. */
    public ProcessCommandHandler() {
        this.user = System.getProperty("user.name");
        this.home = Path.of(System.getProperty("user.home"));
        this.shell = loginShell(user);
    }

    @Override
    public SessionProcess start(SessionCommand command) throws IOException {
        ProcessBuilder builder = newProcessBuilder(command);
        Process process = builder.start();
        log.debug("started {} (pid {}) for {}", builder.command(), process.pid(), command.user());
        return new ProcessSession(process);
    }

    /**
     * The process this handler would start for {@code command}, not started yet: the command line, working directory
     * and environment described above (for a handler that starts it differently, e.g. on a pseudo-terminal).
     */
    public ProcessBuilder newProcessBuilder(SessionCommand command) {
        List<String> argv = command.kind() == SessionCommand.Kind.SHELL && command.command() == null
                ? List.of(shell, "-l")
                : List.of("/bin/sh", "-c", command.command());
        ProcessBuilder builder = new ProcessBuilder(argv).directory(home.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("HOME", home.toString());
        env.put("PATH", "root".equals(user) ? ROOT_PATH : USER_PATH);
        env.put("MAIL", "/var/mail/" + user);
        env.put("SHELL", shell);
        InetSocketAddress c = command.client();
        InetSocketAddress s = command.server();
        if (c != null && s != null) {
            String clientHost = c.getAddress().getHostAddress();
            env.put("SSH_CLIENT", clientHost + " " + c.getPort() + " " + s.getPort());
            env.put("SSH_CONNECTION", clientHost + " " + c.getPort() + " " + s.getAddress().getHostAddress() + " "
                    + s.getPort());
        }
        if (command.originalCommand() != null) {
            env.put("SSH_ORIGINAL_COMMAND", command.originalCommand());
        }
        if (command.pty() != null) {
            env.put("TERM", command.pty().term());
        }
        env.putAll(command.environment());
        return builder;
    }

    /** The user's shell from the passwd database, or /bin/sh when the entry or the shell is missing. */
    static String loginShell(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 7 && f[0].equals(user) && !f[6].isEmpty() && Files.isExecutable(Path.of(f[6]))) {
                    return f[6];
                }
            }
        } catch (IOException e) {
            log.debug("cannot read /etc/passwd: {}", e.toString());
        }
        return "/bin/sh";
    }
}
