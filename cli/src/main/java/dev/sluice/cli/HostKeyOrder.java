package dev.sluice.cli;

import dev.sluice.transport.key.KnownHosts;
import dev.sluice.transport.key.OpenSshCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ssh's default host key algorithm order for one host (sshconnect2.c order_hostkeyalgs): the algorithms whose key type
 * known_hosts already holds for the host come first, so that a host known by its ECDSA key is not asked for an
 * Ed25519 key it would then fail to match.
 */
final class HostKeyOrder {
    private HostKeyOrder() {
    }

    static List<String> preferKnown(List<String> algorithms, List<Path> knownHostsFiles, String host, int port) {
        Set<String> known = new HashSet<>();
        for (Path file : knownHostsFiles) {
            try {
                known.addAll(KnownHosts.read(file).keyTypes(host, port));
            } catch (IOException e) {
                // The verifier reports unreadable files when it checks the key; the order just stays the default.
            }
        }
        List<String> first = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String algorithm : algorithms) {
            (known.contains(keyType(algorithm)) ? first : rest).add(algorithm);
        }
        first.addAll(rest);
        return first;
    }

    /**
     * The plain key type that signs with an algorithm: ssh-rsa for the RSA SHA-2 ones, the certified key's type for a
     * certificate algorithm (ssh puts both forms of a known type first), the name itself otherwise.
     */
    static String keyType(String algorithm) {
        String plain = OpenSshCertificate.plainAlgorithm(algorithm);
        return plain.startsWith("rsa-sha2-") ? "ssh-rsa" : plain;
    }
}
