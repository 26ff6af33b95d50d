package dev.sluice.cli;

import dev.sluice.auth.PublicKeyAuthenticator;
import dev.sluice.auth.ServerAuthConfig;
import dev.sluice.auth.UserAuthPolicy;
import dev.sluice.transport.TransportSession;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sluice server's Match blocks at work: when a client names its user, the configuration for that user, address and
 * local address is made ({@link ServerCommand.SshdConfig#forConnection}), its authentication settings go to the
 * authentication layer, its RekeyLimit to the transport, and the whole of it stays on the socket for the sessions,
 * forwardings and keepalives that follow. This is
 * when sshd applies Match too (after the first userauth request).
 */
final class MatchedConfig {
    private static final Logger LOG = LoggerFactory.getLogger(MatchedConfig.class);
    private static final AttributeKey<ServerCommand.SshdConfig> CONFIG = AttributeKey.valueOf(MatchedConfig.class,
            "config");

    private MatchedConfig() {
    }

    /** The configuration chosen for the connection on {@code socket}, or {@code global} before authentication. */
    static ServerCommand.SshdConfig of(Channel socket, ServerCommand.SshdConfig global) {
        ServerCommand.SshdConfig c = socket.attr(CONFIG).get();
        return c != null ? c : global;
    }

    /** Chooses each login's settings from {@code global} and its Match blocks, and keeps them on the socket. */
    static UserAuthPolicy policy(ServerCommand.SshdConfig global) {
        return (user, socket) -> {
            ServerCommand.SshdConfig c = global.forConnection(connection(user, socket));
            socket.attr(CONFIG).set(c);
            if (!c.rekeyLimit().equals(global.rekeyLimit())) {
                TransportSession.of(socket).rekeyLimit(c.rekeyLimit());
            }
            return settings(c);
        };
    }

    /** The connection as Match sees it; the host is the client's address, as sshd's with UseDNS no. */
    static SshdMatch.Connection connection(String user, Channel socket) {
        String address = address(socket.remoteAddress());
        return new SshdMatch.Connection(user, address, address, address(socket.localAddress()),
                socket.localAddress() instanceof InetSocketAddress local ? local.getPort() : -1);
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress()
                : null;
    }

    /**
     * The authentication settings of a connection's configuration. As sshd's auth2_setup_methods_lists, an
     * AuthenticationMethods list naming a method that is off for this user is skipped, and when none is left the
     * login cannot succeed. A Banner file that cannot be read is logged and left out.
     */
    static UserAuthPolicy.Settings settings(ServerCommand.SshdConfig c) {
        String banner = null;
        try {
            banner = c.bannerFile() == null ? null : Files.readString(c.bannerFile());
        } catch (IOException e) {
            LOG.error("Banner {}: {}", c.bannerFile(), e.toString());
        }
        ServerAuthConfig auth = c.authConfig(banner);
        PublicKeyAuthenticator keys = c.publicKeys();
        boolean publicKey = keys != null;
        List<List<String>> usable = new ArrayList<>();
        for (List<String> list : auth.authenticationMethods()) {
            boolean enabled = list.stream().allMatch(m -> switch (m) {
                case "publickey" -> publicKey;
                case "password" -> auth.password() != null;
                default -> auth.keyboardInteractive() != null;
            });
            if (enabled) {
                usable.add(list);
            } else {
                LOG.info("Authentication methods list \"{}\" contains disabled method, skipping",
                        String.join(",", list));
            }
        }
        if (usable.isEmpty() && !auth.authenticationMethods().isEmpty()) {
            throw new IllegalArgumentException("No AuthenticationMethods left after eliminating disabled methods");
        }
        return new UserAuthPolicy.Settings(keys, auth.withAuthenticationMethods(usable),
                c.maxAuthTries());
    }
}
