package dev.sluice.auth;

import java.util.List;
import java.util.Objects;

/**
 * The client's authentication settings, with the meaning of the ssh_config keywords of the same names.
 *
 * @param preferredAuthentications PreferredAuthentications: methods in the order to try them
 * @param pubkeyAuthentication PubkeyAuthentication
 * @param passwordAuthentication PasswordAuthentication
 * @param kbdInteractiveAuthentication KbdInteractiveAuthentication
 * @param numberOfPasswordPrompts NumberOfPasswordPrompts: password (and keyboard-interactive) attempts before giving
 *     up
 * @param interaction who answers prompts; {@link UserInteraction#NONE} for BatchMode
 */
public record ClientAuthConfig(List<String> preferredAuthentications, boolean pubkeyAuthentication,
        boolean passwordAuthentication, boolean kbdInteractiveAuthentication, int numberOfPasswordPrompts,
        UserInteraction interaction) {
    /** ssh's default order, less the methods Sluice does not implement (gssapi-with-mic, hostbased). */
    public static final List<String> DEFAULT_PREFERRED = List.of("publickey", "keyboard-interactive", "password");

    /** ssh's defaults, without anyone to ask: publickey only in effect, as with BatchMode. */
    public static final ClientAuthConfig DEFAULT = new ClientAuthConfig(DEFAULT_PREFERRED, true, true, true, 3,
            UserInteraction.NONE);

    public ClientAuthConfig {
        preferredAuthentications = List.copyOf(preferredAuthentications);
        Objects.requireNonNull(interaction);
    }

    /** The same settings with a different person (or callback) answering prompts. */
    public ClientAuthConfig withInteraction(UserInteraction newInteraction) {
        return new ClientAuthConfig(preferredAuthentications, pubkeyAuthentication, passwordAuthentication,
                kbdInteractiveAuthentication, numberOfPasswordPrompts, newInteraction);
    }

    /** Whether {@code method} may be tried at all. */
    boolean enabled(String method) {
        return switch (method) {
            case "publickey" -> pubkeyAuthentication;
            case "password" -> passwordAuthentication;
            case "keyboard-interactive" -> kbdInteractiveAuthentication;
            default -> false;
        };
    }
}
