package dev.sluice.interop;

import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.transport.message.KexInit;
import dev.sluice.transport.wire.SshReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Asks a client program what it offers: it connects to a loopback listener that answers with a version line and
 * reads the client's first KEXINIT, before any key exchange. For clients that have no query option (dbclient, plink).
 */
final class ClientOffer {
    private ClientOffer() {
    }

    /**
     * Starts the client with {@code start} (given the listener's port), reads its KEXINIT and ends it.
     *
     * @throws AssertionError if the client does not connect and send a KEXINIT within {@code timeout}
     */
    static KexInit of(IntFunction<ManagedProcess> start, Duration timeout) throws IOException {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            listener.setSoTimeout((int) timeout.toMillis());
            try (ManagedProcess client = start.apply(listener.getLocalPort());
                    Socket socket = listener.accept()) {
                socket.setSoTimeout((int) timeout.toMillis());
                socket.getOutputStream().write("SSH-2.0-SluiceProbe\r\n".getBytes(StandardCharsets.US_ASCII));
                DataInputStream in = new DataInputStream(socket.getInputStream());
                skipVersionLine(in);
                byte[] packet = new byte[in.readInt()];
                in.readFully(packet);
                int padding = packet[0] & 0xff;
                if (packet.length < 2 || packet[1] != RawSshSocket.KEXINIT) {
                    throw new AssertionError("the client's first packet is not a KEXINIT\n" + client.describe());
                }
                return KexInit.decode(SshReader.of(Arrays.copyOfRange(packet, 2, packet.length - padding)));
            }
        }
    }

    private static void skipVersionLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0 || line.length() > 255) {
                throw new AssertionError("no identification line from the client: " + line);
            }
            if (b == '\n') {
                if (line.toString().startsWith("SSH-")) {
                    return;
                }
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }
    }
}
