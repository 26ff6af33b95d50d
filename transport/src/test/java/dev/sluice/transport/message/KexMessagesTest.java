package dev.sluice.transport.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.Size;

/** The key exchange method messages (RFC 5656 section 4, RFC 4419 section 3): encode then decode is the identity. */
class KexMessagesTest {

    @Property(tries = 200)
    void gexRequestShouldRoundTrip(@ForAll int min, @ForAll int n, @ForAll int max) {
        KexDhGexRequest m = new KexDhGexRequest(min, n, max);
        assertThat(KexDhGexRequest.decode(body(m))).isEqualTo(m);
    }

    @Property(tries = 200)
    void gexGroupShouldRoundTrip(@ForAll @BigRange(min = "1") BigInteger p,
            @ForAll @BigRange(min = "1") BigInteger g) {
        KexDhGexGroup m = new KexDhGexGroup(p, g);
        assertThat(KexDhGexGroup.decode(body(m))).isEqualTo(m);
    }

    @Property(tries = 200)
    void initAndReplyMessagesShouldRoundTrip(@ForAll @Size(max = 1300) byte[] a, @ForAll @Size(max = 600) byte[] b,
            @ForAll @Size(max = 600) byte[] c) {
        assertThat(KexDhGexInit.decode(body(new KexDhGexInit(a))).e()).isEqualTo(a);
        KexDhGexReply gex = KexDhGexReply.decode(body(new KexDhGexReply(a, b, c)));
        assertThat(gex.hostKey()).isEqualTo(a);
        assertThat(gex.f()).isEqualTo(b);
        assertThat(gex.signature()).isEqualTo(c);
        assertThat(KexEcdhInit.decode(body(new KexEcdhInit(a))).clientPublic()).isEqualTo(a);
        KexEcdhReply ecdh = KexEcdhReply.decode(body(new KexEcdhReply(a, b, c)));
        assertThat(ecdh.hostKey()).isEqualTo(a);
        assertThat(ecdh.serverPublic()).isEqualTo(b);
        assertThat(ecdh.signature()).isEqualTo(c);
    }

    @Property(tries = 300)
    void randomBodiesShouldOnlyFailWithSshException(@ForAll @Size(max = 64) byte[] junk) {
        for (int id : new int[] {KexDhGexRequest.ID, KexDhGexGroup.ID, KexDhGexInit.ID, KexDhGexReply.ID}) {
            try {
                SshReader r = SshReader.of(junk);
                switch (id) {
                    case KexDhGexRequest.ID -> KexDhGexRequest.decode(r);
                    case KexDhGexGroup.ID -> KexDhGexGroup.decode(r);
                    case KexDhGexInit.ID -> KexDhGexInit.decode(r);
                    default -> KexDhGexReply.decode(r);
                }
            } catch (SshException expected) {
                // The only failure a decoder may show for peer bytes.
            }
        }
    }

    /** The payload without its message number, checked to start with the record's ID. */
    private static SshReader body(SshMessage m) {
        ByteBuf payload = m.toPayload(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(payload.getUnsignedByte(0)).isEqualTo((short) m.id());
            byte[] bytes = new byte[payload.readableBytes() - 1];
            payload.getBytes(1, bytes);
            return new SshReader(Unpooled.wrappedBuffer(bytes));
        } finally {
            payload.release();
        }
    }
}
