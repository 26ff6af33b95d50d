package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DelayedLinkTest {
    @Test
    void bytesArriveIntactAfterTheDelayAndAHalfCloseFollowsThem() throws Exception {
        byte[] sent = new byte[3 << 20];
        new Random(7).nextBytes(sent);
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                DelayedLink link = DelayedLink.start((InetSocketAddress) echo.getLocalSocketAddress(),
                        Duration.ofMillis(25))) {
            CompletableFuture<Void> echoing = CompletableFuture.runAsync(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), link.port())) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                long start = System.nanoTime();
                out.write(1);
                assertThat(in.read()).isEqualTo(1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a round trip")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(50));

                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    try {
                        in.transferTo(all);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return all.toByteArray();
                });
                out.write(sent);
                s.shutdownOutput();
                assertThat(received.get()).isEqualTo(sent);
            }
            echoing.get();
        }
    }
}
