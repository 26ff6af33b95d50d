package dev.sluice.connection.session;

import dev.sluice.connection.ChannelOpenHandler;
import dev.sluice.connection.ChannelOpenRequest;
import dev.sluice.connection.SshConnection;
import dev.sluice.connection.message.OpenFailureReason;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@code session} channels a client opens (RFC 4254 section 6): register it for channel type
 * {@link #CHANNEL_TYPE} in the server's open handlers. Each accepted channel waits for its requests (env, exec,
 * shell, subsystem, signal, …) and runs what they ask through the configuration's {@link CommandHandler}.
 *
 * <p>At most {@link SessionConfig#maxSessions()} sessions per connection are open at once; more are refused with
 * ADMINISTRATIVELY_PROHIBITED, as sshd refuses them. Shareable between connections.
 */
public final class SessionOpenHandler implements ChannelOpenHandler {
    /** The channel type this handler serves. */
    public static final String CHANNEL_TYPE = "session";
    private static final Logger log = LoggerFactory.getLogger(SessionOpenHandler.class);
    /** Open sessions of one connection; touched only on that connection's event loop. */
    private static final AttributeKey<int[]> OPEN_SESSIONS = AttributeKey.valueOf(SessionOpenHandler.class,
            "openSessions");

    private final Function<SshConnection, SessionConfig> configs;

    public SessionOpenHandler(SessionConfig config) {
        this(c -> config);
    }

    /**
     * Sessions configured per connection, e.g. by sshd's Match blocks for ForceCommand, MaxSessions and AcceptEnv.
     *
     * @param configs the settings for a connection's sessions, asked on its event loop at each open
     */
    public SessionOpenHandler(Function<SshConnection, SessionConfig> configs) {
        this.configs = configs;
    }

    @Override
    public void onOpen(ChannelOpenRequest request) {
        SessionConfig config = configs.apply(request.connection());
        Channel parent = request.connection().parent();
        int[] open = parent.attr(OPEN_SESSIONS).get();
        if (open == null) {
            open = new int[1];
            parent.attr(OPEN_SESSIONS).set(open);
        }
        if (open[0] >= config.maxSessions()) {
            log.info("session_new: too many sessions ({})", config.maxSessions());
            request.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, "open failed");
            return;
        }
        open[0]++;
        int[] counter = open;
        request.accept(new ServerSession(config, () -> counter[0]--));
    }
}
