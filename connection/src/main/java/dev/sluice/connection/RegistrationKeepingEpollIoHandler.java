package dev.sluice.connection;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll I/O handler with one defect worked around: a socket must stay in the epoll set while it is open.
 *
 * <p>In Netty 4.2.18, when a channel's interest becomes empty, its registration removes the fd from the epoll set
 * ({@code EPOLL_CTL_DEL}) but still counts it as added, so the next interest change is an {@code EPOLL_CTL_MOD} that
 * fails with ENOENT. A stream socket's interest becomes empty once its peer has half-closed (EPOLLRDHUP is dropped
 * after it fires), no read is requested (AUTO_READ off) and its output is drained: exactly a forwarded socket waiting
 * for the rest of the other direction. The next write that fills the socket buffer then needs EPOLLOUT, the MOD
 * fails, Netty fails the write and shuts the output, and the tail of that direction is lost. Closing such a socket
 * also throws (and swallows) ENOENT from the DEL in its cancellation.
 *
 * <p>Here an empty interest is submitted as EPOLLET alone instead: the fd stays registered (so later MODs and the
 * final DEL succeed) yet reports nothing but an edge of EPOLLERR or EPOLLHUP, which the kernel always reports and
 * which, being edge-triggered, cannot repeat; that was the reason Netty removes the fd.
 */
final class RegistrationKeepingEpollIoHandler implements IoHandler {
    private final IoHandler epoll;

    private RegistrationKeepingEpollIoHandler(IoHandler epoll) {
        this.epoll = epoll;
    }

    /** A factory of epoll handlers that keep every open socket registered. */
    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
                return new RegistrationKeepingEpollIoHandler(epoll.newHandler(ioExecutor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new KeptRegistration(epoll.register(handle));
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** Submits an empty interest as edge-triggered nothing rather than letting Netty remove the fd. */
    private static final class KeptRegistration implements IoRegistration {
        private final IoRegistration registration;

        KeptRegistration(IoRegistration registration) {
            this.registration = registration;
        }

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            return registration.submit(EpollIoOps.NONE.equals(ops) ? EpollIoOps.EPOLLET : ops);
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
