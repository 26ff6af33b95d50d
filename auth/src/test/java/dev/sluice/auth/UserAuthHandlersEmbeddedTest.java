package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.auth.message.PasswordRequest;
import dev.sluice.auth.message.PublicKeyRequest;
import dev.sluice.auth.message.UserAuthFailure;
import dev.sluice.auth.message.UserAuthInfoResponse;
import dev.sluice.auth.message.UserAuthMessages;
import dev.sluice.auth.message.UserAuthPkOk;
import dev.sluice.auth.message.UserAuthRequest;
import dev.sluice.auth.message.UserAuthSuccess;
import dev.sluice.transport.KeyExchangeCompleted;
import dev.sluice.transport.Role;
import dev.sluice.transport.SshException;
import dev.sluice.transport.TransportSession;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.message.ServiceAccept;
import dev.sluice.transport.message.ServiceRequest;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.message.TransportMessages;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handlers' message flows one message at a time in an {@link EmbeddedChannel}: what the client sends in answer
 * to each server message (none probe, publickey query before signature), and how the server orders replies while a
 * blocking check runs. Blocking work goes to a queue the test runs by hand.
 */
class UserAuthHandlersEmbeddedTest {
    private static final SshKeyPair KEY = SshKeyPair.generateEd25519("k");
    private final Queue<Runnable> blockingWork = new ArrayDeque<>();
    private final Executor manual = blockingWork::add;
    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void inbound(SshMessage m) {
        channel.writeInbound(m.toPayload(ByteBufAllocator.DEFAULT));
    }

    private int nextOutboundId() {
        ByteBuf b = channel.readOutbound();
        try {
            return b.getUnsignedByte(0);
        } finally {
            b.release();
        }
    }

    private UserAuthRequest nextRequest() {
        ByteBuf b = channel.readOutbound();
        try {
            assertThat((int) b.getUnsignedByte(0)).isEqualTo(UserAuthMessages.REQUEST);
            return UserAuthRequest.decode(SshReader.body(b));
        } finally {
            b.release();
        }
    }

    private void runBlockingWork() {
        Runnable r;
        while ((r = blockingWork.poll()) != null) {
            r.run();
        }
        channel.runPendingTasks();
    }

    private Promise<Void> client(ClientAuthConfig config) {
        TransportSession session = new TransportSession(Role.CLIENT, "SSH-2.0-test");
        session.peer("example.org", 22);
        channel = new EmbeddedChannel();
        Promise<Void> result = channel.eventLoop().newPromise();
        channel.pipeline().addLast(new UserAuthClientHandler(session, "alice", List.of(KEY), config, m -> { },
                result, manual));
        channel.pipeline().fireUserEventTriggered(new KeyExchangeCompleted(null, true));
        assertThat(nextOutboundId()).isEqualTo(TransportMessages.SERVICE_REQUEST);
        inbound(new ServiceAccept("ssh-userauth"));
        return result;
    }

    @Test
    void clientProbesWithNoneThenQueriesTheKeyBeforeSigning() {
        Promise<Void> result = client(ClientAuthConfig.DEFAULT);
        assertThat(nextRequest().method()).isEqualTo("none");

        inbound(new UserAuthFailure(List.of("publickey", "password"), false));
        UserAuthRequest query = nextRequest();
        assertThat(query.method()).isEqualTo("publickey");
        PublicKeyRequest pk = PublicKeyRequest.decode(query.methodData());
        assertThat(pk.signature()).isNull();
        assertThat(pk.keyBlob()).isEqualTo(KEY.publicKey().blob());

        inbound(new UserAuthPkOk(pk.algorithm(), pk.keyBlob()));
        assertThat((Object) channel.readOutbound()).as("signing waits for its thread").isNull();
        runBlockingWork();
        PublicKeyRequest signed = PublicKeyRequest.decode(nextRequest().methodData());
        byte[] data = PublicKeyRequest.signedData(new byte[0], "alice", "ssh-connection", pk.algorithm(),
                pk.keyBlob());
        assertThat(KEY.publicKey().verify(pk.algorithm(), data, signed.signature())).isTrue();

        inbound(new UserAuthSuccess());
        assertThat(result.isSuccess()).isTrue();
        assertThat(channel.pipeline().get(UserAuthClientHandler.class)).isNull();
    }

    @Test
    void clientInBatchModeGivesUpWithTheServersList() {
        Promise<Void> result = client(ClientAuthConfig.DEFAULT);
        nextRequest();
        inbound(new UserAuthFailure(List.of("password", "keyboard-interactive"), false));
        assertThat(result.cause()).hasMessage("Permission denied (password,keyboard-interactive).");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void pkOkForAnotherKeyIsAProtocolError() {
        client(ClientAuthConfig.DEFAULT);
        nextRequest();
        inbound(new UserAuthFailure(List.of("publickey"), false));
        nextRequest();
        byte[] otherBlob = SshKeyPair.generateEd25519("other").publicKey().blob();
        assertThatThrownBy(() -> inbound(new UserAuthPkOk("ssh-ed25519", otherBlob)))
                .isInstanceOf(SshException.class).hasMessageContaining("different key");
    }

    @Test
    void methodSpecificMessageOutOfPlaceIsAProtocolError() {
        client(ClientAuthConfig.DEFAULT);
        nextRequest();
        assertThatThrownBy(() -> inbound(new UserAuthPkOk("ssh-ed25519", KEY.publicKey().blob())))
                .isInstanceOf(SshException.class).hasMessageContaining("unexpected message 60");
    }

    private Promise<AuthenticatedUser> server(PasswordAuthenticator passwords) {
        return server(passwords, 0);
    }

    private Promise<AuthenticatedUser> server(PasswordAuthenticator passwords, long loginGraceSeconds) {
        TransportSession session = new TransportSession(Role.SERVER, "SSH-2.0-test");
        session.peer("192.0.2.1", 5555);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        Promise<AuthenticatedUser> result = channel.eventLoop().newPromise();
        channel.pipeline().addLast(new UserAuthServerHandler(session, null,
                new ServerAuthConfig(passwords, null, List.of(), false, null), 6, loginGraceSeconds, result, null,
                manual));
        inbound(new ServiceRequest("ssh-userauth"));
        assertThat(nextOutboundId()).isEqualTo(TransportMessages.SERVICE_ACCEPT);
        return result;
    }

    private static UserAuthRequest password(String user, String pw) {
        return new UserAuthRequest(user, "ssh-connection", "password",
                new PasswordRequest(pw.getBytes(java.nio.charset.StandardCharsets.UTF_8), null).encode());
    }

    @Test
    void serverAnswersInOrderWhileACheckRuns() {
        Promise<AuthenticatedUser> result = server((u, p) -> new String(p).equals("right")
                ? PasswordAuthenticator.Result.SUCCESS : PasswordAuthenticator.Result.FAILURE);
        inbound(password("bob", "wrong"));
        inbound(password("bob", "right"));
        assertThat((Object) channel.readOutbound()).as("nothing before the check ends").isNull();

        runBlockingWork();
        assertThat((Object) channel.readOutbound()).as("a failure waits for the minimum delay").isNull();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(nextOutboundId()).isEqualTo(UserAuthMessages.FAILURE);

        // The second request was held, and runs now.
        runBlockingWork();
        assertThat(nextOutboundId()).isEqualTo(UserAuthMessages.SUCCESS);
        assertThat(result.getNow().user()).isEqualTo("bob");
        assertThat(result.getNow().methods()).containsExactly("password");
        assertThat(AuthenticatedUser.of(channel)).isEqualTo(result.getNow());
    }

    @Test
    void serverDisconnectsAClientThatFloodsWhileACheckRuns() {
        server((u, p) -> PasswordAuthenticator.Result.FAILURE);
        inbound(password("bob", "x"));
        for (int i = 0; i < UserAuthServerHandler.MAX_WAITING; i++) {
            inbound(password("bob", "x"));
        }
        assertThatThrownBy(() -> inbound(password("bob", "x"))).isInstanceOf(SshException.class)
                .hasMessageContaining("too many authentication messages");
    }

    @Test
    void serverRefusesAChangeOfUser() {
        server((u, p) -> PasswordAuthenticator.Result.FAILURE);
        inbound(new UserAuthRequest("bob", "ssh-connection", "none", new byte[0]));
        assertThat(nextOutboundId()).isEqualTo(UserAuthMessages.FAILURE);
        assertThatThrownBy(() -> inbound(new UserAuthRequest("eve", "ssh-connection", "none", new byte[0])))
                .isInstanceOf(SshException.class).hasMessageContaining("Change of username or service not allowed");
    }

    @Test
    void serverRefusesAnInfoResponseWithoutAQuestion() {
        server((u, p) -> PasswordAuthenticator.Result.FAILURE);
        assertThatThrownBy(() -> inbound(new UserAuthInfoResponse(List.of())))
                .isInstanceOf(SshException.class).hasMessageContaining("unexpected message 61");
    }

    @Test
    void serverDoesNotOfferOrRunAMethodItHasNot() {
        server((u, p) -> PasswordAuthenticator.Result.SUCCESS);
        inbound(new UserAuthRequest("bob", "ssh-connection", "keyboard-interactive",
                new dev.sluice.auth.message.KeyboardInteractiveRequest("", "").encode()));
        assertThat(blockingWork).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        ByteBuf b = channel.readOutbound();
        try {
            UserAuthFailure failure = UserAuthFailure.decode(SshReader.body(b));
            assertThat(failure.methods()).containsExactly("password");
        } finally {
            b.release();
        }
    }

    @Test
    void loginGraceTimeClosesAnUnauthenticatedConnection() {
        Promise<AuthenticatedUser> result = server((u, p) -> PasswordAuthenticator.Result.FAILURE, 120);
        channel.advanceTimeBy(119, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(result.cause()).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void loginGraceTimeStopsOnceAuthenticated() {
        Promise<AuthenticatedUser> result = server((u, p) -> PasswordAuthenticator.Result.SUCCESS, 120);
        inbound(password("bob", "any"));
        runBlockingWork();
        assertThat(result.isSuccess()).isTrue();
        assertThat(nextOutboundId()).isEqualTo(UserAuthMessages.SUCCESS);
        channel.advanceTimeBy(200, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
    }
}
