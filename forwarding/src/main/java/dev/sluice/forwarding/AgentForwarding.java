package dev.sluice.forwarding;

import dev.sluice.connection.SshConnection;
import dev.sluice.connection.session.AgentForwarder;
import dev.sluice.connection.session.ClientSession;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Agent forwarding (ssh -A, RFC 9987 section 7 with OpenSSH's names), both roles.
 *
 * <p>Client: {@link #request} asks the server to forward the agent listening at a Unix-domain socket to one session,
 * and from then on the connection accepts the server's {@code auth-agent@openssh.com} channels, each connected to
 * that socket. Without a request such channels are refused, as ssh refuses them.
 *
 * <pre>{@code
 * ClientSession session = ClientSession.open(connection, null, System.out, System.err).get();
 * AgentForwarding.request(session, Path.of(System.getenv("SSH_AUTH_SOCK"))).get();
 * session.exec("ssh-add -l");
 * }</pre>
 *
 * <p>Server: {@link #server} is the {@link AgentForwarder} for {@code SessionConfig.withAgentForwarder}. It listens
 * on {@code /tmp/ssh-XXXXXXXXXX/agent.PID} in a fresh directory only the server's user may enter (as sshd), names
 * the socket in the session's {@code SSH_AUTH_SOCK}, opens an agent channel to the client for each connection to it,
 * and removes socket and directory when the SSH connection closes. Unix-domain sockets need Netty's native epoll
 * transport.
 */
public final class AgentForwarding {
    private AgentForwarding() {
    }

    /**
     * Accepts the server's agent channels on {@code session}'s connection from now on, connecting each to the agent
     * at {@code agentSocket}, and sends {@code auth-agent-req@openssh.com} on the session (before its exec, shell
     * or subsystem). Completes once the request is written.
     */
    public static Future<Boolean> request(ClientSession session, Path agentSocket) {
        SshConnection connection = session.channel().connection();
        Promise<Boolean> result = connection.eventLoop().newPromise();
        connection.eventLoop().execute(() -> {
            connection.registerOpenHandler(AgentForwarder.CHANNEL_TYPE, new ClientAgentHandler(agentSocket));
            session.requestAgentForwarding().addListener(f -> {
                if (f.isSuccess()) {
                    result.trySuccess((Boolean) f.getNow());
                } else {
                    result.tryFailure(f.cause());
                }
            });
        });
        return result;
    }

    /**
     * The server side: grants agent forwarding to the connections {@code allowed} accepts (sshd's
     * AllowAgentForwarding and DisableForwarding, per connection when Match blocks apply); the key's
     * {@code no-agent-forwarding} and a certificate without {@code permit-agent-forwarding} are checked by the
     * session itself.
     */
    public static AgentForwarder server(Predicate<SshConnection> allowed) {
        return new ServerAgentForwarder(allowed);
    }
}
