package dev.sluice.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code sluice} command: {@code ssh}, {@code server}, {@code keygen} and {@code demo}, each with OpenSSH's option
 * letters and messages. Exit status as OpenSSH's: 255 for connection and authentication failures.
 */
public final class Main {
    private static final String USAGE = "usage: sluice <command> [options]\n"
            + "  ssh     [-NnTts] [-L [bind_address:]port:host:hostport] [-p port] [-l user] [-i identity]\n"
            + "          [-o option] [user@]host [command] OpenSSH's ssh: commands, shells, tunnels\n"
            + "  server  [-DdeTt] [-C spec] [-E log] [-p port] [--bind addr] [-h host_key] [-o Keyword=Value]\n"
            + "          [-f config]" + " ".repeat(22) + "an SSH server with sshd's keywords\n"
            + "  keygen  -t ed25519 -f file [-N passphrase]\n"
            + "                                           OpenSSH-format keys, as ssh-keygen\n"
            + "  demo    [--size MiB]                     a tunnel through an embedded server, measured";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("ssh")) {
            // ssh's log format for the library's messages too; before any logger exists.
            CliLogProvider.select();
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 255;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "ssh":
                return new SshCommand(out, err).run(rest);
            case "server":
                return new ServerCommand(out, err).run(rest);
            case "keygen":
                return new KeygenCommand(out, err).run(rest);
            case "demo":
                return new DemoCommand(out, err).run(rest);
            case "-h":
            case "--help":
            case "help":
                out.println(USAGE);
                return 0;
            default:
                err.println("sluice: unknown command \"" + args[0] + "\"");
                err.println(USAGE);
                return 255;
        }
    }
}
