package dev.sluice.forwarding;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;

/**
 * Resolves host names with the JDK's (blocking) resolver on Netty's global executor thread instead of the event loop
 * that asked: one slow DNS answer must not stall every connection and forwarded socket on that loop. Netty's
 * bootstrap then connects on the socket's own loop. IP literals never get here (see {@link DirectTcpipHandler}).
 */
final class OffloadingResolverGroup extends AddressResolverGroup<InetSocketAddress> {
    static final OffloadingResolverGroup INSTANCE = new OffloadingResolverGroup();

    private OffloadingResolverGroup() {
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new DefaultNameResolver(GlobalEventExecutor.INSTANCE).asAddressResolver();
    }
}
