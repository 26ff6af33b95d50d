package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.SshException;
import java.util.ArrayDeque;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * A model test of flow control across one channel: a sender's {@link RemoteWindow} and a receiver's
 * {@link LocalWindow}, joined by a simulated network that carries DATA one way and WINDOW_ADJUST the other, in
 * order, and an application on each side that writes and consumes. Random interleavings of writes, packets sent,
 * packets delivered, bytes consumed (each followed by the adjust check, as {@code MuxChannel.consumed} does) and
 * adjusts delivered are checked against a plain model of RFC 4254's windows and OpenSSH's rules:
 *
 * <ul>
 *   <li>credit is conserved: what the sender may send plus the DATA and the adjusts in flight always equals the
 *       receiver's window, so no credit is lost or duplicated, and an honest sender never overruns;</li>
 *   <li>each packet is {@code min(credit, peer max packet, our cap, pending)}, and the receiver's window stays in
 *       {@code [0, max]};</li>
 *   <li>only consumed bytes are credited, each exactly once, and an adjust goes out exactly when OpenSSH's
 *       {@code channel_check_window} would send one;</li>
 *   <li>bytes arrive whole and in order, and once the writes stop, sending, delivering and consuming always finish
 *       the transfer: no deadlock, whatever the window and packet sizes;</li>
 *   <li>a sender that ignores the window is accepted exactly within OpenSSH's 10 % grace (counted since the last
 *       packet that fitted) and disconnected beyond it, and the excess is never credited back.</li>
 * </ul>
 */
class WindowModelTest {
    /** The sizes of one run: the receiver's max packet and window, and the sender's own packet cap. */
    record Sizes(int maxPacket, long max, int senderCap) {
    }

    /** One side of a channel pair and the network between them, with the model's own bookkeeping. */
    static final class Link {
        final long max;
        final int maxPacket;
        final int senderCap;
        final LocalWindow receiver;
        final RemoteWindow sender;
        /** DATA in flight: {first byte's sequence number, length}. */
        final ArrayDeque<long[]> data = new ArrayDeque<>();
        final ArrayDeque<Long> adjusts = new ArrayDeque<>();
        /** Written by the sending application and not yet sent. */
        long pending;
        long written;
        long sent;
        long received;
        long consumed;
        long credited;
        /** Credit that reached the sender. */
        long expanded;
        /** The model's view of the receiver's window: max − received + credited, less what was never credited. */
        long modelWindow;
        /** The sender ignores the window (and its RemoteWindow is not used). */
        final boolean rogue;
        /** Bytes received beyond the window and not yet repaid by consumption: never credited. */
        long debt;
        /** Consumed bytes that repaid such debt. */
        long repaid;
        /** The model's grace counter: excess since the last packet that fitted. */
        long exceeded;
        boolean disconnected;

        Link(Sizes sizes, boolean rogue) {
            this.max = sizes.max();
            this.maxPacket = sizes.maxPacket();
            this.senderCap = sizes.senderCap();
            this.rogue = rogue;
            receiver = new LocalWindow(max, maxPacket);
            sender = new RemoteWindow(max, maxPacket, senderCap);
            modelWindow = max;
        }

        @Override
        public String toString() {
            return "max " + max + ", maxPacket " + maxPacket + ", cap " + senderCap + ": pending " + pending
                    + ", credit " + sender.credit() + ", window " + receiver.window() + ", unconsumed "
                    + receiver.unconsumed() + ", consumed " + consumed + ", credited " + credited;
        }

        long inFlightData() {
            return data.stream().mapToLong(p -> p[1]).sum();
        }

        long inFlightCredit() {
            return adjusts.stream().mapToLong(Long::longValue).sum();
        }

        void write(long n) {
            pending += n;
            written += n;
        }

        /** The sender's next packet, as {@code MuxChannel.drain} cuts it. */
        void sendOne() {
            long before = sender.credit();
            int n = sender.reserve((int) Math.min(pending, Integer.MAX_VALUE));
            assertThat((long) n).as("packet size").isEqualTo(Math.min(Math.min(before,
                    Math.min(maxPacket, senderCap)), pending));
            if (n > 0) {
                data.add(new long[] {sent, n});
                sent += n;
                pending -= n;
            }
        }

        void deliverData() {
            long[] p = data.poll();
            assertThat(p[0]).as("bytes in order, none lost or repeated").isEqualTo(received);
            receiver.receive(7, (int) p[1]);
            received += p[1];
            modelWindow -= p[1];
        }

        /** The receiving application consumes {@code n} bytes; the adjust check follows, as in MuxChannel. */
        void consume(long n) {
            long repay = Math.min(debt, n);
            long due = consumed - repaid - credited + n - repay;
            debt -= repay;
            repaid += repay;
            receiver.consume(n);
            consumed += n;
            long credit = receiver.takeAdjustment();
            boolean openSshWouldAdjust = due > 0 && (max - modelWindow > 3L * maxPacket || modelWindow < max / 2);
            assertThat(credit).as("adjust exactly when channel_check_window sends one, for all consumed")
                    .isEqualTo(openSshWouldAdjust ? due : 0);
            if (credit > 0) {
                adjusts.add(credit);
                credited += credit;
                modelWindow += credit;
            }
        }

        void deliverAdjust() {
            long n = adjusts.poll();
            sender.expand(n);
            expanded += n;
        }

        void check() {
            assertThat(receiver.window()).as("receiver window").isEqualTo(modelWindow).isBetween(0L, max);
            assertThat(sender.credit()).isNotNegative();
            if (!rogue) {
                assertThat(sender.credit() + inFlightData() + inFlightCredit()).as("credit conserved")
                        .isEqualTo(receiver.window());
            }
            assertThat(credited).as("never credit more than was consumed, excess excluded")
                    .isLessThanOrEqualTo(consumed - repaid);
            assertThat(receiver.unconsumed()).isEqualTo(received - consumed)
                    .isLessThanOrEqualTo(max + max / 10);
            assertThat(sent).isEqualTo(written - pending);
        }
    }

    @Property(tries = 300)
    void anHonestSenderAndReceiverConserveCreditAndAlwaysFinish(@ForAll("honestChains") ActionChain<Link> chain) {
        Link l = chain.withInvariant(Link::check).run();
        // The writes stop: what was written must still arrive, whatever state the chain left.
        while (l.pending > 0 || !l.data.isEmpty() || !l.adjusts.isEmpty() || l.received > l.consumed) {
            long progress = l.sent + l.received + l.consumed + l.credited + l.expanded;
            for (long before = -1; before != l.sent; ) {
                before = l.sent;
                l.sendOne();
            }
            while (!l.data.isEmpty()) {
                l.deliverData();
            }
            if (l.received > l.consumed) {
                l.consume(l.received - l.consumed);
            }
            while (!l.adjusts.isEmpty()) {
                l.deliverAdjust();
            }
            l.check();
            assertThat(l.sent + l.received + l.consumed + l.credited + l.expanded).as("deadlock: %s", l)
                    .isGreaterThan(progress);
        }
        assertThat(l.received).isEqualTo(l.written);
    }

    @Provide
    Arbitrary<ActionChain<Link>> honestChains() {
        return links().flatMap(sizes -> ActionChain.startWith(() -> new Link(sizes, false))
                .withAction(2, write())
                .withAction(3, (Action.Independent<Link>) () -> Arbitraries.just(
                        Transformer.mutate("send", Link::sendOne)))
                .withAction(3, (Action.Dependent<Link>) s -> s.data.isEmpty() ? Arbitraries.just(Transformer.noop())
                        : Arbitraries.just(Transformer.mutate("deliver data", Link::deliverData)))
                .withAction(3, consume())
                .withAction(2, (Action.Dependent<Link>) s -> s.adjusts.isEmpty()
                        ? Arbitraries.just(Transformer.noop())
                        : Arbitraries.just(Transformer.mutate("deliver adjust", Link::deliverAdjust)))
                .withMaxTransformations(300));
    }

    /** A sender that sends what it likes: accepted exactly within the grace, and never credited for the excess. */
    @Property(tries = 1000)
    void anOverrunIsAcceptedExactlyWithinTheGraceAndNeverCredited(@ForAll("rogueChains") ActionChain<Link> chain) {
        chain.withInvariant(Link::check).run();
    }

    @Provide
    Arbitrary<ActionChain<Link>> rogueChains() {
        Action.Dependent<Link> rogueSend = s -> Arbitraries.integers().between(1, s.maxPacket)
                .map(n -> Transformer.mutate("rogue packet " + n, l -> {
                    if (l.disconnected) {
                        return;
                    }
                    long window = l.modelWindow;
                    if (n <= window) {
                        l.receiver.receive(7, n);
                        l.modelWindow -= n;
                        l.exceeded = 0;
                    } else if (l.exceeded + n - window > l.max / 10) {
                        assertThatThrownBy(() -> l.receiver.receive(7, n)).isInstanceOf(SshException.class)
                                .hasMessageContaining("peer ignored channel window");
                        l.disconnected = true;
                        return;
                    } else {
                        l.receiver.receive(7, n);
                        l.exceeded += n - window;
                        // Paid first from consumed bytes not yet credited, so nothing is credited while in debt.
                        long paidNow = Math.min(l.consumed - l.repaid - l.credited, n - window);
                        l.repaid += paidNow;
                        l.debt += n - window - paidNow;
                        l.modelWindow = 0;
                    }
                    l.received += n;
                }));
        Action.Dependent<Link> consume = s -> s.disconnected || s.received == s.consumed
                ? Arbitraries.just(Transformer.noop())
                : Arbitraries.longs().between(1, s.received - s.consumed)
                        .map(n -> Transformer.mutate("consume " + n, l -> l.consume(n)));
        return links().flatMap(sizes -> ActionChain.startWith(() -> new Link(sizes, true))
                .withAction(4, rogueSend).withAction(3, consume).withMaxTransformations(300));
    }

    private static Action.Independent<Link> write() {
        return () -> Arbitraries.longs().between(1, 100_000).map(n -> Transformer.mutate("write " + n,
                l -> l.write(n)));
    }

    private static Action.Dependent<Link> consume() {
        return s -> s.received == s.consumed ? Arbitraries.just(Transformer.noop())
                : Arbitraries.longs().between(1, s.received - s.consumed)
                        .map(n -> Transformer.mutate("consume " + n, l -> l.consume(n)));
    }

    /** Window and packet sizes as ConnectionConfig allows them, small ones often, and the sender's own cap. */
    private static Arbitrary<Sizes> links() {
        Arbitrary<Integer> maxPacket = Arbitraries.oneOf(Arbitraries.of(512, 32 * 1024),
                Arbitraries.integers().between(512, 64 * 1024));
        return maxPacket.flatMap(mp -> Combinators.combine(
                Arbitraries.oneOf(Arbitraries.of((long) mp, 2L * mp, 64L * mp),
                        Arbitraries.longs().between(mp, 128L * mp)),
                Arbitraries.oneOf(Arbitraries.just(256 * 1024), Arbitraries.integers().between(512, 64 * 1024)))
                .as((max, cap) -> new Sizes(mp, max, cap)));
    }
}
