package dev.sluice.auth;

import dev.sluice.transport.key.KeyFormatException;
import dev.sluice.transport.key.OpenSshCertificate;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a user authenticated by one authorized_keys line may do: the options of that line (sshd(8), AUTHORIZED_KEYS
 * FILE FORMAT), parsed. The session and forwarding layers read it from {@link AuthenticatedUser#restrictions()}:
 * {@link #permitsOpen} decides direct-tcpip targets and {@link #permitsListen} tcpip-forward listeners (with the
 * raw lists in {@link #permitOpen()} and {@link #permitListen()}), {@link #forcedCommand()} replaces the client's
 * command, and so on. Immutable.
 *
 * <p>{@code restrict} turns off every permission, and a later positive option ({@code port-forwarding},
 * {@code pty}, …) turns one back on, as in sshd. Option names are case-insensitive; an unknown option or a malformed
 * value makes {@link #parse} throw, and the line is then refused as sshd refuses it ("bad key options").
 */
public final class KeyRestrictions {
    /** No option at all: everything the server's configuration allows. */
    public static final KeyRestrictions NONE = new Builder().build();

    private final boolean portForwarding;
    private final boolean agentForwarding;
    private final boolean x11Forwarding;
    private final boolean pty;
    private final boolean userRc;
    private final boolean certAuthority;
    private final String forcedCommand;
    private final Map<String, String> environment;
    private final List<String> permitOpen;
    private final List<String> permitListen;
    private final String from;
    private final Instant expiryTime;
    private final List<String> principals;
    private final String sourceAddress;

    private KeyRestrictions(Builder b) {
        portForwarding = b.portForwarding;
        agentForwarding = b.agentForwarding;
        x11Forwarding = b.x11Forwarding;
        pty = b.pty;
        userRc = b.userRc;
        certAuthority = b.certAuthority;
        forcedCommand = b.forcedCommand;
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        permitOpen = List.copyOf(b.permitOpen);
        permitListen = List.copyOf(b.permitListen);
        from = b.from;
        expiryTime = b.expiryTime;
        principals = List.copyOf(b.principals);
        sourceAddress = b.sourceAddress;
    }

    /**
     * What a user certificate allows (PROTOCOL.certkeys; sshd's sshauthopt_from_cert): each permission only with its
     * {@code permit-*} extension, {@code force-command} as {@link #forcedCommand()}, {@code source-address} as
     * {@link #sourceAddress()}. Unknown extensions are ignored.
     *
     * @throws IllegalArgumentException for an unknown or malformed critical option, in sshd's words
     */
    public static KeyRestrictions fromCertificate(OpenSshCertificate cert) {
        Builder b = new Builder();
        List<String> extensions = cert.extensionNames();
        b.portForwarding = extensions.contains("permit-port-forwarding");
        b.agentForwarding = extensions.contains("permit-agent-forwarding");
        b.x11Forwarding = extensions.contains("permit-X11-forwarding");
        b.pty = extensions.contains("permit-pty");
        b.userRc = extensions.contains("permit-user-rc");
        for (String name : cert.criticalOptionNames()) {
            try {
                switch (name) {
                    case "force-command" -> b.forcedCommand = cert.criticalOptionString(name).orElseThrow();
                    case "source-address" -> {
                        String list = cert.criticalOptionString(name).orElseThrow();
                        if (SourcePatterns.matchAddressList("0.0.0.0", list) == -2) {
                            throw new IllegalArgumentException("Certificate source-address contents invalid");
                        }
                        b.sourceAddress = list;
                    }
                    default -> throw new IllegalArgumentException("Certificate critical option \"" + name
                            + "\" is not supported");
                }
            } catch (KeyFormatException e) {
                throw new IllegalArgumentException("Certificate option \"" + name + "\" corrupt", e);
            }
        }
        return b.build();
    }

    /**
     * These restrictions (an authorized_keys line's) narrowed by a certificate's, as sshd's sshauthopt_merge: a
     * permission survives only when both allow it, a forced command from either applies (two different ones refuse
     * the login), and the line's lists and limits are kept.
     *
     * @throws IllegalArgumentException when both force different commands
     */
    public KeyRestrictions narrowedBy(KeyRestrictions cert) {
        if (forcedCommand != null && cert.forcedCommand != null && !forcedCommand.equals(cert.forcedCommand)) {
            throw new IllegalArgumentException("forced command options do not match");
        }
        Builder b = new Builder();
        b.portForwarding = portForwarding && cert.portForwarding;
        b.agentForwarding = agentForwarding && cert.agentForwarding;
        b.x11Forwarding = x11Forwarding && cert.x11Forwarding;
        b.pty = pty && cert.pty;
        b.userRc = userRc && cert.userRc;
        b.forcedCommand = forcedCommand != null ? forcedCommand : cert.forcedCommand;
        b.environment.putAll(environment);
        b.permitOpen.addAll(permitOpen);
        b.permitListen.addAll(permitListen);
        b.from = from;
        b.expiryTime = expiryTime;
        b.principals.addAll(principals);
        b.sourceAddress = cert.sourceAddress != null ? cert.sourceAddress : sourceAddress;
        return b.build();
    }

    /**
     * Parses the raw options of one authorized_keys line, as {@link dev.sluice.transport.key.AuthorizedKeys.Entry}
     * keeps them ({@code command="echo a, b"} with its quotes).
     *
     * @param zone the time zone of an {@code expiry-time} without a {@code Z} suffix (sshd uses the system's)
     * @throws IllegalArgumentException with sshd's reason for an unknown option or a bad value
     */
    public static KeyRestrictions parse(List<String> options, ZoneId zone) {
        Builder b = new Builder();
        for (String option : options) {
            int eq = option.indexOf('=');
            String name = (eq < 0 ? option : option.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(option.substring(eq + 1), name);
            if (eq < 0) {
                flag(b, name);
                continue;
            }
            switch (name) {
                case "command" -> b.forcedCommand = value;
                case "from" -> b.from = value;
                case "principals" -> b.principals.addAll(List.of(value.split(",", -1)));
                case "expiry-time" -> b.expiryTime = b.expiryTime == null ? expiry(value, zone)
                        : min(b.expiryTime, expiry(value, zone));
                case "environment" -> {
                    int e = value.indexOf('=');
                    if (e <= 0) {
                        throw new IllegalArgumentException("invalid environment string");
                    }
                    // sshd keeps the first setting of a name.
                    b.environment.putIfAbsent(value.substring(0, e), value.substring(e + 1));
                }
                case "permitopen" -> b.permitOpen.add(hostPort(value, "permitopen", true));
                case "permitlisten" -> b.permitListen.add(hostPort(value, "permitlisten", false));
                case "tunnel" -> {
                    // Tun forwarding is not implemented; the option is accepted so that such lines still log in.
                }
                default -> throw new IllegalArgumentException("unsupported option \"" + name + "\"");
            }
        }
        return b.build();
    }

    private static void flag(Builder b, String name) {
        switch (name) {
            case "restrict" -> {
                b.portForwarding = false;
                b.agentForwarding = false;
                b.x11Forwarding = false;
                b.pty = false;
                b.userRc = false;
            }
            case "cert-authority" -> b.certAuthority = true;
            case "port-forwarding" -> b.portForwarding = true;
            case "no-port-forwarding" -> b.portForwarding = false;
            case "agent-forwarding" -> b.agentForwarding = true;
            case "no-agent-forwarding" -> b.agentForwarding = false;
            case "x11-forwarding" -> b.x11Forwarding = true;
            case "no-x11-forwarding" -> b.x11Forwarding = false;
            case "pty" -> b.pty = true;
            case "no-pty" -> b.pty = false;
            case "user-rc" -> b.userRc = true;
            case "no-user-rc" -> b.userRc = false;
            case "no-touch-required", "touch-required", "verify-required" -> {
                // FIDO key flags; FIDO keys are not supported, so nothing to require.
            }
            default -> throw new IllegalArgumentException("unsupported option \"" + name + "\"");
        }
    }

    /** A quoted value with {@code \"} standing for a quote (auth-options.c opt_dequote). */
    private static String unquote(String raw, String name) {
        if (raw.length() < 2 || raw.charAt(0) != '"' || raw.charAt(raw.length() - 1) != '"') {
            throw new IllegalArgumentException("missing start quote for " + name);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < raw.length() - 1; i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length() - 1 && raw.charAt(i + 1) == '"') {
                c = '"';
                i++;
            } else if (c == '"') {
                throw new IllegalArgumentException("unexpected quote in " + name);
            }
            out.append(c);
        }
        return out.toString();
    }

    /** expiry-time: YYYYMMDD[HHMM[SS]] in {@code zone}, or in UTC with a trailing Z (sshd's parse_absolute_time). */
    private static Instant expiry(String value, ZoneId zone) {
        boolean utc = value.endsWith("Z") || value.endsWith("z");
        String v = utc ? value.substring(0, value.length() - 1) : value;
        String pattern = switch (v.length()) {
            case 8 -> "yyyyMMdd";
            case 12 -> "yyyyMMddHHmm";
            case 14 -> "yyyyMMddHHmmss";
            default -> throw new IllegalArgumentException("invalid expiry time");
        };
        try {
            LocalDateTime t = v.length() == 8
                    ? java.time.LocalDate.parse(v, DateTimeFormatter.ofPattern(pattern)).atStartOfDay()
                    : LocalDateTime.parse(v, DateTimeFormatter.ofPattern(pattern));
            return t.atZone(utc ? ZoneOffset.UTC : zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid expiry time");
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** host:port (permitopen, port may be *) or [host:]port (permitlisten), IPv6 hosts in brackets. */
    private static String hostPort(String value, String name, boolean hostRequired) {
        int colon = value.lastIndexOf(':');
        String port = colon < 0 ? value : value.substring(colon + 1);
        String host = colon < 0 ? "" : value.substring(0, colon);
        if ((hostRequired && host.isEmpty()) || port.isEmpty()
                || (!port.equals("*") && !port.chars().allMatch(Character::isDigit))
                || (!port.equals("*") && Integer.parseInt(port) > 65535)) {
            throw new IllegalArgumentException("invalid " + name + " specification");
        }
        return value;
    }

    /** port-forwarding allowed (no {@code no-port-forwarding}, no {@code restrict} without {@code port-forwarding}). */
    public boolean portForwardingAllowed() {
        return portForwarding;
    }

    public boolean agentForwardingAllowed() {
        return agentForwarding;
    }

    public boolean x11ForwardingAllowed() {
        return x11Forwarding;
    }

    public boolean ptyAllowed() {
        return pty;
    }

    /** Whether ~/.ssh/rc may run ({@code user-rc}, off with {@code restrict} or {@code no-user-rc}). */
    public boolean userRcAllowed() {
        return userRc;
    }

    /** The line is a certificate authority's key ({@code cert-authority}), not a user's. */
    public boolean certAuthority() {
        return certAuthority;
    }

    /** {@code command=}: run this instead of what the client asks. */
    public Optional<String> forcedCommand() {
        return Optional.ofNullable(forcedCommand);
    }

    /** {@code environment=} settings, in file order, first setting of a name kept. */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * {@code permitopen=} targets as written ({@code host:port}, port {@code *} for any); empty means no limit beyond
     * {@link #portForwardingAllowed()}.
     */
    public List<String> permitOpen() {
        return permitOpen;
    }

    /** {@code permitlisten=} listeners as written ({@code [host:]port}); empty means no limit. */
    public List<String> permitListen() {
        return permitListen;
    }

    /** {@code from=}: the pattern list the client's address must match, if any. */
    public Optional<String> from() {
        return Optional.ofNullable(from);
    }

    /** {@code expiry-time=}: the instant after which the key is refused, if any. */
    public Optional<Instant> expiryTime() {
        return Optional.ofNullable(expiryTime);
    }

    /** {@code principals=} (for {@code cert-authority} lines): the certificate principals accepted. */
    public List<String> principals() {
        return principals;
    }

    /**
     * Whether a direct-tcpip open to {@code host:port} is allowed by this key: port forwarding on, and, when there
     * are {@code permitopen=} entries, one of them matches (host as written, or {@code *}; port, or {@code *}), as
     * sshd's open_match compares them.
     */
    public boolean permitsOpen(String host, int port) {
        return portForwarding && (permitOpen.isEmpty() || permitOpen.stream().anyMatch(e -> matches(e, host, port)));
    }

    /**
     * Whether a tcpip-forward listener on {@code host:port} is allowed by this key: port forwarding on, and, when
     * there are {@code permitlisten=} entries, one matches; a bare port means any listen address, as in sshd.
     */
    public boolean permitsListen(String host, int port) {
        return portForwarding && (permitListen.isEmpty() || permitListen.stream()
                .anyMatch(e -> matches(e.indexOf(':') < 0 ? "*:" + e : e, host, port)));
    }

    private static boolean matches(String entry, String host, int port) {
        int colon = entry.lastIndexOf(':');
        String h = entry.substring(0, colon);
        String p = entry.substring(colon + 1);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return (p.equals("*") || Integer.parseInt(p) == port) && (h.equals("*") || h.equals(host));
    }

    /** Whether {@code address} (a literal IP) satisfies {@code from=}; true without the option. */
    public boolean permitsSource(String address) {
        return from == null || SourcePatterns.matches(address, from);
    }

    /** A certificate's {@code source-address} list (CIDR networks and addresses), if any. */
    public Optional<String> sourceAddress() {
        return Optional.ofNullable(sourceAddress);
    }

    /** Whether {@code address} (a literal IP) is in the certificate's {@code source-address}; true without it. */
    public boolean permitsCertificateSource(String address) {
        return sourceAddress == null || SourcePatterns.matchAddressList(address, sourceAddress) == 1;
    }

    /** Whether the key has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiryTime != null && now.isAfter(expiryTime);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add(portForwarding ? "port-forwarding" : "no-port-forwarding");
        parts.add(pty ? "pty" : "no-pty");
        parts.add(agentForwarding ? "agent-forwarding" : "no-agent-forwarding");
        parts.add(x11Forwarding ? "x11-forwarding" : "no-x11-forwarding");
        if (forcedCommand != null) {
            parts.add("command");
        }
        if (!permitOpen.isEmpty()) {
            parts.add("permitopen=" + String.join(" ", permitOpen));
        }
        if (!permitListen.isEmpty()) {
            parts.add("permitlisten=" + String.join(" ", permitListen));
        }
        return "KeyRestrictions[" + String.join(", ", parts) + "]";
    }

    private static final class Builder {
        boolean portForwarding = true;
        boolean agentForwarding = true;
        boolean x11Forwarding = true;
        boolean pty = true;
        boolean userRc = true;
        boolean certAuthority;
        String forcedCommand;
        final Map<String, String> environment = new LinkedHashMap<>();
        final List<String> permitOpen = new ArrayList<>();
        final List<String> permitListen = new ArrayList<>();
        String from;
        Instant expiryTime;
        final List<String> principals = new ArrayList<>();
        String sourceAddress;

        KeyRestrictions build() {
            return new KeyRestrictions(this);
        }
    }
}
