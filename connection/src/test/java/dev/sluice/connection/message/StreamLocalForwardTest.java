package dev.sluice.connection.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.SshException;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The streamlocal-forward request data and the forwarded-streamlocal open data, OpenSSH's PROTOCOL section 2.4. */
class StreamLocalForwardTest {
    @Property
    void requestDataSurvivesEncodeThenDecode(@ForAll String path) {
        StreamLocalForward f = new StreamLocalForward(path);
        assertThat(StreamLocalForward.decode(f.encode())).isEqualTo(f);
    }

    @Property
    void openDataSurvivesEncodeThenDecode(@ForAll String path) {
        ForwardedStreamLocal f = new ForwardedStreamLocal(path);
        assertThat(ForwardedStreamLocal.decode(f.encode())).isEqualTo(f);
    }

    @Example
    void theWireFormsAreAStringAndAStringWithAnEmptyReservedOne() {
        assertThat(new StreamLocalForward("/s").encode()).containsExactly(0, 0, 0, 2, '/', 's');
        assertThat(new ForwardedStreamLocal("/s").encode()).containsExactly(0, 0, 0, 2, '/', 's', 0, 0, 0, 0);
    }

    @Example
    void theReservedFieldIsIgnoredWhenReceived() {
        byte[] data = {0, 0, 0, 2, '/', 's', 0, 0, 0, 1, 'x'};
        assertThat(ForwardedStreamLocal.decode(data).socketPath()).isEqualTo("/s");
    }

    @Example
    void trailingOrMissingBytesAreProtocolErrors() {
        byte[] request = new StreamLocalForward("/tmp/x.sock").encode();
        assertThatThrownBy(() -> StreamLocalForward.decode(Arrays.copyOf(request, request.length + 1)))
                .isInstanceOf(SshException.class);
        assertThatThrownBy(() -> StreamLocalForward.decode(Arrays.copyOf(request, request.length - 1)))
                .isInstanceOf(SshException.class);
        byte[] open = new ForwardedStreamLocal("/tmp/x.sock").encode();
        assertThatThrownBy(() -> ForwardedStreamLocal.decode(Arrays.copyOf(open, open.length + 1)))
                .isInstanceOf(SshException.class);
        assertThatThrownBy(() -> ForwardedStreamLocal.decode(Arrays.copyOf(open, open.length - 4)))
                .isInstanceOf(SshException.class);
    }
}
