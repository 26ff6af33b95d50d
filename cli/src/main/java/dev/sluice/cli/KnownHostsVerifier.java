package dev.sluice.cli;

import dev.sluice.transport.HostKeyVerifier;
import dev.sluice.transport.key.KnownHosts;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * ssh's host key check: the UserKnownHostsFile list ({@code @cert-authority} lines for host certificates, falling
 * back to the certified key as a plain one) and StrictHostKeyChecking ({@code yes}, {@code accept-new},
 * {@code no}/{@code off}, {@code ask}), with OpenSSH's warnings word for word. {@code ask} prompts on the terminal;
 * that blocks the connection's event loop, which is acceptable only because the command has one connection.
 */
final class KnownHostsVerifier implements HostKeyVerifier {
    private static final String AT = "@".repeat(59);

    private final List<Path> files;
    private final String strict;
    private final boolean batchMode;
    private final PrintStream err;
    /** CASignatureAlgorithms: a host certificate signed otherwise is checked as its plain key. */
    private final List<String> caSignatureAlgorithms;
    private volatile boolean forwardingDisabled;

    KnownHostsVerifier(List<Path> files, String strict, boolean batchMode, PrintStream err) {
        this(files, strict, batchMode, err, PublicKeys.defaultSignatureAlgorithms());
    }

    private KnownHostsVerifier(List<Path> files, String strict, boolean batchMode, PrintStream err,
            List<String> caSignatureAlgorithms) {
        this.files = List.copyOf(files);
        this.strict = strict.toLowerCase(Locale.ROOT);
        this.batchMode = batchMode;
        this.err = err;
        this.caSignatureAlgorithms = List.copyOf(caSignatureAlgorithms);
    }

    /** The same checks accepting host certificates whose CA signed with one of {@code algorithms}. */
    KnownHostsVerifier withCaSignatureAlgorithms(List<String> algorithms) {
        return new KnownHostsVerifier(files, strict, batchMode, err, algorithms);
    }

    /** True when the key changed and StrictHostKeyChecking=no let the connection go on: ssh then refuses forwards. */
    boolean forwardingDisabled() {
        return forwardingDisabled;
    }

    @Override
    public String verify(String host, int port, SshPublicKey presented) {
        SshPublicKey key = presented;
        if (presented instanceof OpenSshCertificate cert) {
            String refusal = certificate(host, port, cert);
            if (refusal == null || !refusal.isEmpty()) {
                return refusal;
            }
            // As ssh: "No matching CA found. Retry with plain key": the certified key is checked as a plain one.
            key = cert.certifiedKey();
        }
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
                    SshLog.debug1("Host '" + name + "' is known and matches the " + type + " host key.");
                    SshLog.debug1("Found key in " + r.file() + ":" + r.line());
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

    /**
     * ssh's check of a host certificate (sshconnect.c check_host_cert): null when an {@code @cert-authority} line
     * trusts its CA and it is a valid host certificate for {@code host}; "" when the plain key must be checked
     * instead (no such CA, or an invalid certificate, whose reason is printed as ssh prints it); a refusal for a
     * revoked CA.
     */
    private String certificate(String host, int port, OpenSshCertificate cert) {
        boolean trusted = false;
        for (Path file : files) {
            KnownHosts.Result r;
            try {
                r = KnownHosts.read(file).checkCertificateAuthority(host, port, cert.signatureKey());
            } catch (IOException e) {
                continue;
            }
            if (r.status() == KnownHosts.Status.REVOKED) {
                err.println(AT);
                err.println("@       WARNING: REVOKED HOST KEY DETECTED!               @");
                err.println(AT);
                err.println("The " + PublicKeys.displayName(cert.keyType()) + " host key for "
                        + KnownHosts.hostKeyName(host, port) + " is marked as revoked.");
                err.println("This could mean that a stolen key is being used to");
                err.println("impersonate this host.");
                return "Host key verification failed.";
            }
            trusted |= r.status() == KnownHosts.Status.MATCH;
        }
        if (!trusted) {
            return "";
        }
        String reason = cert.checkAuthority(OpenSshCertificate.Type.HOST, false, Instant.now(), host);
        if (reason == null && !cert.criticalOptionNames().isEmpty()) {
            reason = "Certificate for " + host + " contains unsupported critical options(s)";
        }
        if (reason == null && !caSignatureAlgorithms.contains(cert.caSignatureAlgorithm())) {
            reason = "Certificate signed with disallowed algorithm"; // ssh 9.2's words
        }
        if (reason == null) {
            return null;
        }
        err.println(reason);
        return "";
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
            if (SshLog.enabled(SshLog.Level.INFO)) {
                err.println("Warning: Permanently added '" + name + "' (" + type + ") to the list of known hosts.");
            }
        } catch (IOException e) {
            err.println("Failed to add the host to the list of known hosts (" + files.get(0) + ").");
        }
        return null;
    }
}
