package dev.sluice.cli;

import dev.sluice.forwarding.DynamicForward;
import dev.sluice.forwarding.LocalForward;
import dev.sluice.forwarding.RemoteForward;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.Macs;
import dev.sluice.transport.key.PublicKeys;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code sluice ssh -G}: the resolved configuration in the shape of {@code ssh -G} (a lower-case keyword, a space,
 * the value; one line per value of a list keyword), in ssh's order, for the keywords sluice knows. Algorithm lists
 * are printed as they resolve against sluice's own defaults, which differ from OpenSSH's where sluice lacks an
 * algorithm (umac MACs, certificate and security-key host key types) or has a newer one.
 */
final class ConfigDump {
    private ConfigDump() {
    }

    static void print(SshCommand.SshOptions o, PrintStream out) {
        line(out, "host", o.originalHost);
        line(out, "user", o.user);
        line(out, "hostname", o.host);
        line(out, "port", Integer.toString(o.port));
        line(out, "batchmode", yesNo(o.batchMode));
        line(out, "compression", yesNo(o.compression));
        line(out, "exitonforwardfailure", yesNo(o.exitOnForwardFailure));
        line(out, "gatewayports", yesNo(o.gatewayPorts));
        line(out, "hashknownhosts", yesNo(o.hashKnownHosts));
        line(out, "identitiesonly", yesNo(o.identitiesOnly));
        line(out, "kbdinteractiveauthentication", yesNo(o.kbdInteractiveAuthentication));
        line(out, "passwordauthentication", yesNo(o.passwordAuthentication));
        // ssh 9.2 prints this flag as true/false, unlike its neighbours.
        line(out, "pubkeyauthentication", Boolean.toString(o.pubkeyAuthentication));
        line(out, "requesttty", switch (o.requestTty) {
            case "yes" -> "true";
            case "no" -> "false";
            default -> o.requestTty;
        });
        line(out, "sessiontype", o.noCommand ? "none" : o.subsystem ? "subsystem" : "default");
        line(out, "stdinnull", yesNo(o.nullStdin));
        line(out, "stricthostkeychecking", switch (o.strictHostKeyChecking) {
            case "yes", "true" -> "true";
            case "no", "off", "false" -> "false";
            default -> o.strictHostKeyChecking;
        });
        line(out, "connectionattempts", Integer.toString(o.connectionAttempts));
        line(out, "numberofpasswordprompts", Integer.toString(o.numberOfPasswordPrompts));
        line(out, "serveralivecountmax", Integer.toString(o.serverAliveCountMax));
        line(out, "serveraliveinterval", Integer.toString(o.serverAliveIntervalSeconds));
        line(out, "ciphers", String.join(",", o.ciphers == null ? Ciphers.defaultNames()
                : AlgorithmList.apply(Ciphers.defaultNames(), Ciphers.defaultNames(), o.ciphers, "cipher")));
        line(out, "hostkeyalgorithms", String.join(",", o.hostKeyAlgorithms == null
                ? PublicKeys.defaultSignatureAlgorithms() : SshCommand.hostKeyAlgorithms(o.hostKeyAlgorithms)));
        if (o.identityAgent != null) {
            line(out, "identityagent", o.identityAgent);
        }
        line(out, "kexalgorithms", String.join(",", SshCommand.kexAlgorithms(o.kexAlgorithms)));
        line(out, "casignaturealgorithms", String.join(",",
                SshCommand.caSignatureAlgorithms(o.caSignatureAlgorithms)));
        // ssh -G names QUIET (-q) SILENT, as its log_level_name does.
        line(out, "loglevel", !o.logLevelSet() ? "INFO" : o.logLevel.equals("QUIET") ? "SILENT" : o.logLevel);
        line(out, "macs", String.join(",", o.macs == null ? Macs.defaultNames()
                : AlgorithmList.apply(Macs.defaultNames(), SshCommand.supportedMacs(), o.macs, "MAC")));
        line(out, "pubkeyacceptedalgorithms", String.join(",", o.pubkeyAcceptedAlgorithms == null
                ? PublicKeys.defaultSignatureAlgorithms() : SshCommand.hostKeyAlgorithms(o.pubkeyAcceptedAlgorithms)));
        line(out, "forwardagent", o.forwardAgentPath != null ? o.forwardAgentPath : yesNo(o.forwardAgent));
        for (DynamicForward f : o.dynamicForwards) {
            line(out, "dynamicforward", listen(f.bindAddress(), f.bindPort()));
        }
        for (LocalForward f : o.forwards) {
            line(out, "localforward", (f.bindPath() != null ? f.bindPath() : listen(f.bindAddress(), f.bindPort()))
                    + " " + (f.connectPath() != null ? f.connectPath() : "[" + f.host() + "]:" + f.hostPort()));
        }
        for (RemoteForward f : o.remoteForwards) {
            // ssh -G shows a reverse dynamic forward (-R port) as a forward to "socks" port 0, a path as it is.
            line(out, "remoteforward", (f.bindPath() != null ? f.bindPath() : listen(f.bindAddress(), f.bindPort()))
                    + (f.connectPath() != null ? " " + f.connectPath()
                    : f.isDynamic() ? " [socks]:0" : " [" + f.host() + "]:" + f.hostPort()));
        }
        line(out, "permitremoteopen", o.permitRemoteOpen.toString());
        for (String f : o.identityFileSpecs.isEmpty() ? List.of("~/.ssh/id_ed25519") : o.identityFileSpecs) {
            line(out, "identityfile", f);
        }
        for (String f : o.certificateFiles) {
            line(out, "certificatefile", f);
        }
        line(out, "userknownhostsfile", o.userKnownHostsSpecs.size() == 1
                && o.userKnownHostsSpecs.get(0).equalsIgnoreCase("none") ? "none"
                : o.userKnownHostsSpecs.isEmpty()
                ? String.join(" ", o.knownHostsFiles().stream().map(Path::toString).toList())
                : String.join(" ", o.userKnownHostsExpanded));
        for (String e : o.sendEnv) {
            line(out, "sendenv", e);
        }
        for (Map.Entry<String, String> e : o.setEnv.entrySet()) {
            line(out, "setenv", e.getKey() + "=" + e.getValue());
        }
        line(out, "connecttimeout", o.connectTimeoutSeconds == 0 ? "none" : Integer.toString(o.connectTimeoutSeconds));
        line(out, "rekeylimit", o.rekeyLimit == null ? "0 0"
                : o.rekeyLimit.bytes() + " " + o.rekeyLimit.interval().toSeconds());
        if (o.proxyJump != null) {
            line(out, "proxyjump", o.proxyJump);
        }
        if (o.proxyCommand != null) {
            line(out, "proxycommand", o.proxyCommand);
        }
        if (o.preferredAuthenticationsSet) {
            line(out, "preferredauthentications", String.join(",", o.preferredAuthentications));
        }
        out.flush();
    }

    /** A listen address as ssh prints it: the port alone, or {@code [address]:port}. */
    private static String listen(String address, int port) {
        return address == null ? Integer.toString(port) : "[" + address + "]:" + port;
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static void line(PrintStream out, String keyword, String value) {
        out.println(keyword + " " + value);
    }
}
