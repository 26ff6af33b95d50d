package dev.sluice.auth.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.SshException;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The password and keyboard-interactive messages and method fields (RFC 4252 section 8, RFC 4256 section 3). */
class AuthMessageTest {

    private static byte[] wire(SshMessage m) {
        ByteBuf b = m.toPayload(PooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Decodes the body after the message number, then encodes again: the bytes must be the same. */
    private static void roundTrip(SshMessage m, Function<SshReader, SshMessage> decoder) {
        byte[] bytes = wire(m);
        assertThat(bytes[0]).isEqualTo((byte) m.id());
        // decode() fails on trailing bytes, so a match means the body was consumed exactly.
        SshMessage back = decoder.apply(SshReader.body(Unpooled.wrappedBuffer(bytes)));
        assertThat(wire(back)).isEqualTo(bytes);
        assertThat(back).isEqualTo(m);
    }

    private static void assertZeroed(byte[] secret) {
        for (byte b : secret) {
            assertThat(b).isZero();
        }
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings().ofMaxLength(40);
    }

    @Provide
    Arbitrary<String> ascii() {
        return Arbitraries.strings().ascii().ofMaxLength(20);
    }

    @Provide
    Arbitrary<UserAuthInfoRequest> infoRequests() {
        Arbitrary<UserAuthInfoRequest.Prompt> prompt = Combinators.combine(text(), Arbitraries.of(true, false))
                .as(UserAuthInfoRequest.Prompt::new);
        return Combinators.combine(text(), text(), ascii(), prompt.list().ofMaxSize(5))
                .as(UserAuthInfoRequest::new);
    }

    @Property
    void infoRequestSurvivesEncodeThenDecode(@ForAll("infoRequests") UserAuthInfoRequest m) {
        roundTrip(m, UserAuthInfoRequest::decode);
    }

    @Property
    void changeRequestSurvivesEncodeThenDecode(@ForAll("text") String prompt, @ForAll("ascii") String language) {
        roundTrip(new UserAuthPasswdChangeReq(prompt, language), UserAuthPasswdChangeReq::decode);
    }

    @Property
    void infoResponseSurvivesEncodeThenDecode(@ForAll @Size(max = 5) List<@Size(max = 30) byte[]> answers) {
        UserAuthInfoResponse m = new UserAuthInfoResponse(answers);
        byte[] bytes = wire(m);
        UserAuthInfoResponse back = UserAuthInfoResponse.decode(SshReader.body(Unpooled.wrappedBuffer(bytes)));
        assertThat(back.responses()).hasSameSizeAs(answers);
        for (int i = 0; i < answers.size(); i++) {
            assertThat(back.responses().get(i)).isEqualTo(answers.get(i));
        }
        back.destroy();
        assertThat(back.responses()).allSatisfy(AuthMessageTest::assertZeroed);
    }

    @Property
    void passwordFieldsSurviveEncodeThenDecode(@ForAll @Size(max = 30) byte[] password,
            @ForAll @Size(max = 30) byte[] fresh, @ForAll boolean change) {
        PasswordRequest m = new PasswordRequest(password.clone(), change ? fresh.clone() : null);
        PasswordRequest back = PasswordRequest.decode(m.encode());
        assertThat(back.password()).isEqualTo(password);
        assertThat(back.change()).isEqualTo(change);
        if (change) {
            assertThat(back.newPassword()).isEqualTo(fresh);
        }
        back.destroy();
        assertZeroed(back.password());
    }

    @Property
    void keyboardInteractiveFieldsSurviveEncodeThenDecode(@ForAll("ascii") String language,
            @ForAll("text") String submethods) {
        KeyboardInteractiveRequest m = new KeyboardInteractiveRequest(language, submethods);
        assertThat(KeyboardInteractiveRequest.decode(m.encode())).isEqualTo(m);
    }

    @Property(tries = 2000)
    void randomBytesDecodeOrFailWithSshExceptionOnly(@ForAll @Size(max = 48) byte[] body) {
        for (Function<SshReader, Object> decoder : List.<Function<SshReader, Object>>of(
                UserAuthInfoRequest::decode, UserAuthInfoResponse::decode, UserAuthPasswdChangeReq::decode)) {
            try {
                decoder.apply(SshReader.of(body));
            } catch (SshException expected) {
                assertThat(expected.getMessage()).isNotEmpty();
            }
        }
        try {
            PasswordRequest.decode(body);
        } catch (SshException expected) {
            assertThat(expected.getMessage()).isNotEmpty();
        }
    }

    @Test
    void moreThanAHundredPromptsIsAProtocolError() {
        byte[] body = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 101};
        assertThatThrownBy(() -> UserAuthInfoRequest.decode(SshReader.of(body))).isInstanceOf(SshException.class)
                .hasMessageContaining("too many");
    }

    @Test
    void infoRequestMatchesRfc4256Layout() {
        UserAuthInfoRequest m = new UserAuthInfoRequest("N", "I", "", List.of(new UserAuthInfoRequest.Prompt("P",
                false)));
        // byte 60, string "N", string "I", string "", uint32 1, string "P", boolean false
        assertThat(wire(m)).containsExactly(60, 0, 0, 0, 1, 'N', 0, 0, 0, 1, 'I', 0, 0, 0, 0, 0, 0, 0, 1,
                0, 0, 0, 1, 'P', 0);
    }
}
