package dev.sluice.cli;

import dev.sluice.transport.HostKeyVerifier;
import dev.sluice.transport.key.KnownHosts;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * ssh's host key check: the UserKnownHostsFile list and StrictHostKeyChecking ({@code yes}, {@code accept-new},
 * {@code no}/{@code off}, {@code ask}), with OpenSSH's warnings word for word. {@code ask} prompts on the terminal;
 * that blocks the connection's event loop, which is acceptable only because the command has one connection.
 */
final class KnownHostsVerifier implements HostKeyVerifier {
    private static final String AT = "@".repeat(59);

    private final List<Path> files;
    private final String strict;
    private final boolean batchMode;
    private final PrintStream err;
    private volatile boolean forwardingDisabled;

    KnownHostsVerifier(List<Path> files, String strict, boolean batchMode, PrintStream err) {
        this.files = List.copyOf(files);
        this.strict = strict.toLowerCase(Locale.ROOT);
        this.batchMode = batchMode;
        this.err = err;
    }

    /** True when the key changed and StrictHostKeyChecking=no let the connection go on: ssh then refuses forwards. */
    boolean forwardingDisabled() {
        return forwardingDisabled;
    }

    @Override
    public String verify(String host, int port, SshPublicKey key) {
        String name = KnownHosts.hostKeyName(host, port);
        String type = PublicKeys.displayName(key.keyType());
        KnownHosts.Result mismatch = null;
        for (Path file : files) {
            KnownHosts.Result r;
            try {
                r = KnownHosts.read(file).check(host, port, key);
            } catch (IOException e) {
                err.println("Failed to read " + file + ": " + e.getMessage());
                continue;
            }
            switch (r.status()) {
                case MATCH:
                    return null;
                case REVOKED:
                    err.println(AT);
                    err.println("@       WARNING: REVOKED HOST KEY DETECTED!               @");
                    err.println(AT);
                    err.println("The " + type + " host key for " + name + " is marked as revoked.");
                    err.println("This could mean that a stolen key is being used to");
                    err.println("impersonate this host.");
                    return "Host key verification failed.";
                case MISMATCH:
                    mismatch = mismatch == null ? r : mismatch;
                    break;
                default:
                    break;
            }
        }
        if (mismatch != null) {
            return changed(name, type, key, mismatch);
        }
        return unknown(host, port, name, type, key);
    }

    private String changed(String name, String type, SshPublicKey key, KnownHosts.Result r) {
        err.println(AT);
        err.println("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @");
        err.println(AT);
        err.println("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!");
        err.println("Someone could be eavesdropping on you right now (man-in-the-middle attack)!");
        err.println("It is also possible that a host key has just been changed.");
        err.println("The fingerprint for the " + type + " key sent by the remote host is");
        err.println(key.fingerprint() + ".");
        err.println("Please contact your system administrator.");
        err.println("Add correct host key in " + files.get(0) + " to get rid of this message.");
        err.println("Offending " + PublicKeys.displayName(r.keyType()) + " key in " + r.file() + ":" + r.line());
        if (strict.equals("no") || strict.equals("off")) {
            err.println("Port forwarding is disabled to avoid man-in-the-middle attacks.");
            forwardingDisabled = true;
            return null;
        }
        err.println("Host key for " + name + " has changed and you have requested strict checking.");
        return "Host key verification failed.";
    }

    private String unknown(String host, int port, String name, String type, SshPublicKey key) {
        switch (strict) {
            case "yes":
                err.println("No " + type + " host key is known for " + name
                        + " and you have requested strict checking.");
                return "Host key verification failed.";
            case "no":
            case "off":
            case "accept-new":
                return remember(host, port, name, type, key);
            default:
                if (batchMode) {
                    return "Host key verification failed.";
                }
                err.println("The authenticity of host '" + name + " (" + name + ")' can't be established.");
                err.println(type + " key fingerprint is " + key.fingerprint() + ".");
                err.println("This key is not known by any other names.");
                String answer = Prompts.line("Are you sure you want to continue connecting (yes/no/[fingerprint])? ");
                if (answer == null) {
                    return "Host key verification failed.";
                }
                answer = answer.strip();
                if (answer.equalsIgnoreCase("yes") || answer.equals(key.fingerprint())) {
                    return remember(host, port, name, type, key);
                }
                return "Host key verification failed.";
        }
    }

    private String remember(String host, int port, String name, String type, SshPublicKey key) {
        try {
            KnownHosts.append(files.get(0), host, port, key);
            err.println("Warning: Permanently added '" + name + "' (" + type + ") to the list of known hosts.");
        } catch (IOException e) {
            err.println("Failed to add the host to the list of known hosts (" + files.get(0) + ").");
        }
        return null;
    }
}
