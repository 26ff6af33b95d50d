package dev.sluice.cli;

import dev.sluice.transport.key.OpenSshKeyFile;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code sluice keygen}: the ssh-keygen subset a tunnel user needs. {@code -t ed25519|ecdsa|rsa [-b bits] -f FILE
 * [-N passphrase] [-C comment] [-q]} writes an OpenSSH-format key pair (ECDSA 256 bits and RSA 3072 bits unless
 * {@code -b} says otherwise, as ssh-keygen); {@code -y -f FILE} prints the public key of a private key
 * file; {@code -l -f FILE} prints its fingerprint. Output and exit codes follow ssh-keygen.
 */
final class KeygenCommand {
    private static final String USAGE = "usage: sluice keygen [-q] [-t ed25519 | ecdsa | rsa] [-b bits] [-N new_passphrase]\n"
            + "                     [-C comment] -f output_keyfile\n"
            + "       sluice keygen -y [-P passphrase] -f input_keyfile\n"
            + "       sluice keygen -l -f input_keyfile";

    private final PrintStream out;
    private final PrintStream err;

    KeygenCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        Getopt opts;
        try {
            opts = new Getopt("t:b:f:N:P:C:qyl", List.of(), args);
        } catch (Getopt.UsageException e) {
            err.println("sluice keygen: " + e.getMessage());
            err.println(USAGE);
            return 1;
        }
        String type = "ed25519";
        String bits = null;
        Path file = null;
        String passphrase = null;
        String oldPassphrase = null;
        String comment = null;
        boolean quiet = false;
        boolean printPublic = false;
        boolean printFingerprint = false;
        for (Getopt.Option o : opts.options()) {
            switch (o.name()) {
                case "t" -> type = o.argument();
                case "b" -> bits = o.argument();
                case "f" -> file = Path.of(o.argument());
                case "N" -> passphrase = o.argument();
                case "P" -> oldPassphrase = o.argument();
                case "C" -> comment = o.argument();
                case "q" -> quiet = true;
                case "y" -> printPublic = true;
                case "l" -> printFingerprint = true;
                default -> throw new IllegalStateException(o.name());
            }
        }
        if (file == null || !opts.operands().isEmpty()) {
            err.println(USAGE);
            return 1;
        }
        try {
            if (printPublic || printFingerprint) {
                return show(file, oldPassphrase, printFingerprint);
            }
            String t = type.toLowerCase(Locale.ROOT);
            if (!List.of("ed25519", "ecdsa", "rsa").contains(t)) {
                err.println("unknown key type " + type);
                return 1;
            }
            int size;
            try {
                size = bits == null ? (t.equals("rsa") ? 3072 : t.equals("ecdsa") ? 256 : 0) : Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                err.println("Bits has bad value " + bits + " (invalid)");
                return 1;
            }
            return generate(file, t, size, passphrase, comment == null ? defaultComment() : comment, quiet);
        } catch (IOException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("Load key \"" + file + "\": " + e.getMessage());
            return 1;
        }
    }

    private int generate(Path file, String type, int bits, String passphrase, String comment, boolean quiet)
            throws IOException {
        if (Files.exists(file)) {
            err.println(file + " already exists.");
            return 1;
        }
        SshKeyPair key;
        try {
            key = switch (type) {
                case "ecdsa" -> SshKeyPair.generateEcdsa(bits, comment);
                case "rsa" -> SshKeyPair.generateRsa(bits, comment);
                default -> SshKeyPair.generateEd25519(comment);
            };
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (!quiet) {
            out.println("Generating public/private " + type + " key pair.");
        }
        char[] pass = passphrase == null || passphrase.isEmpty() ? null : passphrase.toCharArray();
        OpenSshKeyFile.write(file, key, pass);
        if (!quiet) {
            out.println("Your identification has been saved in " + file);
            out.println("Your public key has been saved in " + OpenSshKeyFile.publicKeyPath(file));
            out.println("The key fingerprint is:");
            out.println(key.publicKey().fingerprint() + " " + comment);
        }
        key.destroy();
        return 0;
    }

    private int show(Path file, String passphrase, boolean fingerprint) throws IOException {
        SshKeyPair key = OpenSshKeyFile.read(file, () -> {
            if (passphrase != null) {
                return passphrase.toCharArray();
            }
            return Prompts.passphrase("Enter passphrase: ");
        });
        SshPublicKey pub = key.publicKey();
        if (fingerprint) {
            out.println(pub.bits() + " " + pub.fingerprint() + " " + key.comment() + " ("
                    + PublicKeys.displayName(pub.keyType()) + ")");
        } else {
            out.println(pub.toOpenSshLine(key.comment()));
        }
        key.destroy();
        return 0;
    }

    private static String defaultComment() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name") + "@" + host;
    }
}
