package dev.sluice.connection.session;

import dev.sluice.transport.key.HostPatterns;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a server serves session channels, with sshd_config's keywords.
 *
 * @param handler starts commands, shells and subsystems ({@link ProcessCommandHandler} runs them as processes)
 * @param subsystems {@code Subsystem name command}: the command line run for each subsystem name (e.g. {@code sftp}
 *        → {@code /usr/lib/openssh/sftp-server}); sshd's {@code internal-sftp} is not built in
 * @param acceptEnv {@code AcceptEnv}: patterns ({@code *} and {@code ?} wildcards) of the variable names a client may
 *        set with {@code env} requests; empty accepts none, as sshd's default
 * @param forceCommand {@code ForceCommand}: run this instead of whatever the client asks for (exec, shell or
 *        subsystem), with the client's command in {@code SSH_ORIGINAL_COMMAND}; {@code null} for none
 * @param maxSessions {@code MaxSessions}: open session channels per connection (sshd's default is 10)
 * @param permitTty {@code PermitTTY}: whether a pseudo-terminal may be allocated at all (sshd's default yes)
 * @param agentForwarder serves {@code auth-agent-req@openssh.com} (ssh -A) when the server's policy allows it;
 *        {@code null} refuses every request (the connection module alone has no Unix-socket forwarding)
 * @param permitUserEnvironment {@code PermitUserEnvironment}: patterns ({@code *}, {@code ?}, {@code !} negation,
 *        case-sensitive) of the variable names an authorized_keys {@code environment="NAME=value"} option may set;
 *        empty for sshd's default {@code no}, {@code *} for {@code yes}
 */
public record SessionConfig(CommandHandler handler, Map<String, String> subsystems, List<String> acceptEnv,
        String forceCommand, int maxSessions, boolean permitTty, AgentForwarder agentForwarder,
        List<String> permitUserEnvironment) {
    /** sshd's MaxSessions default. */
    public static final int DEFAULT_MAX_SESSIONS = 10;

    public SessionConfig {
        Objects.requireNonNull(handler);
        subsystems = Map.copyOf(subsystems);
        acceptEnv = List.copyOf(acceptEnv);
        permitUserEnvironment = List.copyOf(permitUserEnvironment);
        if (maxSessions < 0) {
            throw new IllegalArgumentException("MaxSessions must not be negative: " + maxSessions);
        }
    }

    /** Pseudo-terminals permitted, no agent forwarding, no environment from authorized_keys, as sshd's defaults. */
    public SessionConfig(CommandHandler handler, Map<String, String> subsystems, List<String> acceptEnv,
            String forceCommand, int maxSessions) {
        this(handler, subsystems, acceptEnv, forceCommand, maxSessions, true, null, List.of());
    }

    /**
     * Processes as the server's user, no subsystems, no accepted variables, no forced command, 10 sessions, ptys
     * permitted, no agent forwarding, no environment from authorized_keys.
     */
    public static SessionConfig defaults() {
        return new SessionConfig(new ProcessCommandHandler(), Map.of(), List.of(), null, DEFAULT_MAX_SESSIONS);
    }

    public SessionConfig withHandler(CommandHandler value) {
        return new SessionConfig(value, subsystems, acceptEnv, forceCommand, maxSessions, permitTty, agentForwarder,
                permitUserEnvironment);
    }

    public SessionConfig withSubsystems(Map<String, String> value) {
        return new SessionConfig(handler, value, acceptEnv, forceCommand, maxSessions, permitTty, agentForwarder,
                permitUserEnvironment);
    }

    public SessionConfig withAcceptEnv(List<String> value) {
        return new SessionConfig(handler, subsystems, value, forceCommand, maxSessions, permitTty, agentForwarder,
                permitUserEnvironment);
    }

    public SessionConfig withForceCommand(String value) {
        return new SessionConfig(handler, subsystems, acceptEnv, value, maxSessions, permitTty, agentForwarder,
                permitUserEnvironment);
    }

    public SessionConfig withMaxSessions(int value) {
        return new SessionConfig(handler, subsystems, acceptEnv, forceCommand, value, permitTty, agentForwarder,
                permitUserEnvironment);
    }

    public SessionConfig withPermitTty(boolean value) {
        return new SessionConfig(handler, subsystems, acceptEnv, forceCommand, maxSessions, value, agentForwarder,
                permitUserEnvironment);
    }

    /** The same settings with agent forwarding served by {@code value} ({@code null}: refused). */
    public SessionConfig withAgentForwarder(AgentForwarder value) {
        return new SessionConfig(handler, subsystems, acceptEnv, forceCommand, maxSessions, permitTty, value,
                permitUserEnvironment);
    }

    /** The same settings with PermitUserEnvironment's patterns ({@code List.of("*")} is {@code yes}). */
    public SessionConfig withPermitUserEnvironment(List<String> value) {
        return new SessionConfig(handler, subsystems, acceptEnv, forceCommand, maxSessions, permitTty, agentForwarder,
                value);
    }

    /**
     * Whether PermitUserEnvironment lets an authorized_keys {@code environment=} option set {@code name}: as sshd's
     * match_pattern_list, some pattern matches and no negated ({@code !}) one does.
     */
    public boolean permitsUserEnvironment(String name) {
        boolean matched = false;
        for (String pattern : permitUserEnvironment) {
            boolean negated = pattern.startsWith("!");
            if (matchesPattern(negated ? pattern.substring(1) : pattern, name)) {
                if (negated) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    /** Whether AcceptEnv lets a variable called {@code name} through. */
    public boolean acceptsEnv(String name) {
        for (String pattern : acceptEnv) {
            if (matchesPattern(pattern, name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * OpenSSH's match_pattern, as AcceptEnv and SendEnv use it: {@code *} matches any run of characters, {@code ?}
     * one character, case-sensitive, the whole name. Greedy with backtracking to the last {@code *} only, so a
     * pattern like {@code *a*a*b} cannot make a long name from a client take exponential time.
     */
    public static boolean matchesPattern(String pattern, String name) {
        return HostPatterns.matchGlob(name, pattern);
    }
}
