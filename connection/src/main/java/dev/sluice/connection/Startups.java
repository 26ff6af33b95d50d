package dev.sluice.connection;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a server's connections that have not authenticated yet and drops new ones past {@link MaxStartups}, with
 * sshd's log lines. Called from every worker loop, hence the atomics; a connection leaves the count once, when it
 * authenticates or closes, whichever comes first.
 */
final class Startups {
    private static final Logger LOG = LoggerFactory.getLogger(SshServer.class);
    private static final AttributeKey<AtomicBoolean> COUNTED = AttributeKey.valueOf(Startups.class, "counted");

    private final MaxStartups limit;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile long throttlingSince;

    Startups(MaxStartups limit) {
        this.limit = limit;
    }

    /** Counts {@code ch} in, or says to drop it. */
    boolean admit(Channel ch) {
        int before = waiting.getAndIncrement();
        if (limit.drop(before, ThreadLocalRandom.current())) {
            waiting.decrementAndGet();
            if (dropped.getAndIncrement() == 0) {
                throttlingSince = System.nanoTime();
                LOG.info("beginning MaxStartups throttling");
            }
            InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            LOG.info("drop connection #{} from [{}]:{} on [{}]:{} past MaxStartups", before,
                    remote.getAddress().getHostAddress(), remote.getPort(), local.getAddress().getHostAddress(),
                    local.getPort());
            return false;
        }
        ch.attr(COUNTED).set(new AtomicBoolean(true));
        return true;
    }

    /** {@code ch} no longer waits to authenticate (it did, or it closed). */
    void authenticated(Channel ch) {
        AtomicBoolean counted = ch.attr(COUNTED).get();
        if (counted == null || !counted.compareAndSet(true, false)) {
            return;
        }
        int now = waiting.decrementAndGet();
        if (now < limit.start()) {
            int n = dropped.getAndSet(0);
            if (n > 0) {
                Duration d = Duration.ofNanos(System.nanoTime() - throttlingSince);
                LOG.info("exited MaxStartups throttling after {}, {} connections dropped", String.format(
                        "%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart()), n);
            }
        }
    }

    /** Connections waiting to authenticate now. */
    int waiting() {
        return waiting.get();
    }
}
