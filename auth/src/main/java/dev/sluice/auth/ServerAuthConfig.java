package dev.sluice.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * The server's authentication settings beyond publickey, with the meaning of the sshd_config keywords.
 *
 * @param password the password method's check (PasswordAuthentication), or null to not offer it
 * @param keyboardInteractive the keyboard-interactive method (KbdInteractiveAuthentication), or null
 * @param authenticationMethods AuthenticationMethods: lists of methods that must all succeed, in order, any one list
 *     sufficing; empty for "any" (one method of any kind suffices)
 * @param permitEmptyPasswords PermitEmptyPasswords: whether an empty password may be checked at all
 * @param banner Banner: text sent before the first authentication reply, or null
 */
public record ServerAuthConfig(PasswordAuthenticator password, KeyboardInteractiveAuthenticator keyboardInteractive,
        List<List<String>> authenticationMethods, boolean permitEmptyPasswords, String banner) {
    /** publickey only, as the skeleton's server was. */
    public static final ServerAuthConfig PUBLICKEY_ONLY = new ServerAuthConfig(null, null, List.of(), false, null);

    public ServerAuthConfig {
        List<List<String>> copy = new ArrayList<>();
        for (List<String> chain : authenticationMethods) {
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("empty authentication method list");
            }
            copy.add(List.copyOf(chain));
        }
        authenticationMethods = List.copyOf(copy);
    }

    /**
     * Parses an AuthenticationMethods value: {@code any}, or space-separated lists of comma-separated methods,
     * e.g. {@code "publickey,password publickey,keyboard-interactive"}.
     *
     * @throws IllegalArgumentException for an unknown method name
     */
    public static List<List<String>> parseAuthenticationMethods(String value) {
        if (value.strip().equals("any")) {
            return List.of();
        }
        List<List<String>> lists = new ArrayList<>();
        for (String list : value.strip().split("\\s+")) {
            List<String> methods = List.of(list.split(",", -1));
            for (String m : methods) {
                // sshd also allows keyboard-interactive:SUBMETHOD; the submethod is ignored here.
                String base = m.indexOf(':') < 0 ? m : m.substring(0, m.indexOf(':'));
                if (!List.of("publickey", "password", "keyboard-interactive").contains(base)) {
                    throw new IllegalArgumentException("Unknown authentication method \"" + m + "\"");
                }
            }
            lists.add(methods.stream().map(m -> m.indexOf(':') < 0 ? m : m.substring(0, m.indexOf(':'))).toList());
        }
        return lists;
    }

    /**
     * Fails, as sshd refuses to start, when a list of AuthenticationMethods names a method that is off.
     *
     * @param publicKeyEnabled whether the server has a publickey authenticator
     * @throws IllegalArgumentException with sshd's words
     */
    public void requireSatisfiable(boolean publicKeyEnabled) {
        for (List<String> chain : authenticationMethods) {
            for (String m : chain) {
                boolean on = switch (m) {
                    case "publickey" -> publicKeyEnabled;
                    case "password" -> password != null;
                    default -> keyboardInteractive != null;
                };
                if (!on) {
                    throw new IllegalArgumentException("Disabled method \"" + m + "\" in AuthenticationMethods list \""
                            + String.join(",", chain) + "\": AuthenticationMethods cannot be satisfied by enabled "
                            + "authentication methods");
                }
            }
        }
    }

    /** The same settings with another AuthenticationMethods. */
    public ServerAuthConfig withAuthenticationMethods(List<List<String>> lists) {
        return new ServerAuthConfig(password, keyboardInteractive, lists, permitEmptyPasswords, banner);
    }
}
