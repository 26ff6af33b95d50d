package dev.sluice.forwarding;

import dev.sluice.connection.SshConnection;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote forwardings ({@code tcpip-forward}) one server connection has open: their listening sockets by the
 * address the client asked for and the port actually bound, which is how {@code cancel-tcpip-forward} names them
 * (for port 0 the client cancels with the port it was told). Kept on the SSH socket; its listeners close when the
 * connection closes. Touched only on the connection's event loop.
 */
final class ServerForwards {
    private static final AttributeKey<ServerForwards> KEY = AttributeKey.valueOf(ServerForwards.class, "forwards");

    /** A forwarding as the client names it. */
    record Key(String address, int port) {
    }

    private final Map<Key, List<Channel>> listeners = new HashMap<>();

    private ServerForwards() {
    }

    /** The forwardings of {@code connection}, created on first use; must be called on its event loop. */
    static ServerForwards of(SshConnection connection) {
        Channel ssh = connection.parent();
        ServerForwards f = ssh.attr(KEY).get();
        if (f == null) {
            ServerForwards created = new ServerForwards();
            ssh.attr(KEY).set(created);
            ssh.closeFuture().addListener(c -> created.closeAll());
            f = created;
        }
        return f;
    }

    /** Records bound listeners; false (and the caller closes them) when the key is taken. */
    boolean add(Key key, List<Channel> bound) {
        return listeners.putIfAbsent(key, bound) == null;
    }

    /** Closes and forgets the listeners of {@code key}; false when there is no such forwarding. */
    boolean cancel(Key key) {
        List<Channel> l = listeners.remove(key);
        if (l == null) {
            return false;
        }
        l.forEach(Channel::close);
        return true;
    }

    private void closeAll() {
        listeners.values().forEach(l -> l.forEach(Channel::close));
        listeners.clear();
    }

    /** "ADDR port PORT" of the client, for log lines. */
    static String peer(SshConnection connection) {
        if (connection.parent().remoteAddress() instanceof InetSocketAddress a) {
            return a.getAddress().getHostAddress() + " port " + a.getPort();
        }
        return String.valueOf(connection.parent().remoteAddress());
    }
}
