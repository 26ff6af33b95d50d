package dev.sluice.connection.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.SshException;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The tcpip-forward request data and its port-0 reply, RFC 4254 section 7.1. */
class TcpipForwardTest {
    @Property
    void requestDataSurvivesEncodeThenDecode(@ForAll String address, @ForAll int port) {
        TcpipForward f = new TcpipForward(address, port);
        assertThat(TcpipForward.decode(f.encode())).isEqualTo(f);
    }

    @Property
    void theAllocatedPortSurvivesEncodeThenDecode(@ForAll int port) {
        assertThat(TcpipForward.decodePort(TcpipForward.encodePort(port))).isEqualTo(port);
    }

    @Example
    void theWireFormIsAStringThenAUint32() {
        assertThat(new TcpipForward("", 8080).encode()).containsExactly(0, 0, 0, 0, 0, 0, 0x1f, (byte) 0x90);
        assertThat(TcpipForward.encodePort(40000)).containsExactly(0, 0, (byte) 0x9c, 0x40);
    }

    @Example
    void trailingOrMissingBytesAreProtocolErrors() {
        byte[] data = new TcpipForward("localhost", 22).encode();
        byte[] longer = Arrays.copyOf(data, data.length + 1);
        assertThatThrownBy(() -> TcpipForward.decode(longer)).isInstanceOf(SshException.class);
        assertThatThrownBy(() -> TcpipForward.decode(Arrays.copyOf(data, data.length - 1)))
                .isInstanceOf(SshException.class);
        assertThatThrownBy(() -> TcpipForward.decodePort(new byte[] {0, 0, 1})).isInstanceOf(SshException.class);
        assertThatThrownBy(() -> TcpipForward.decodePort(new byte[5])).isInstanceOf(SshException.class);
    }
}
