package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.List;

/**
 * SSH_MSG_KEXINIT, RFC 4253 section 7.1. The exact payload bytes also enter the exchange hash, so the key exchange
 * keeps those rather than re-encoding this record.
 */
public record KexInit(
        byte[] cookie,
        List<String> kexAlgorithms,
        List<String> serverHostKeyAlgorithms,
        List<String> encryptionClientToServer,
        List<String> encryptionServerToClient,
        List<String> macClientToServer,
        List<String> macServerToClient,
        List<String> compressionClientToServer,
        List<String> compressionServerToClient,
        List<String> languagesClientToServer,
        List<String> languagesServerToClient,
        boolean firstKexPacketFollows,
        int reserved) implements SshMessage {
    public static final int ID = TransportMessages.KEXINIT;
    public static final int COOKIE_LENGTH = 16;

    public KexInit {
        cookie = cookie.clone();
        kexAlgorithms = List.copyOf(kexAlgorithms);
        serverHostKeyAlgorithms = List.copyOf(serverHostKeyAlgorithms);
        encryptionClientToServer = List.copyOf(encryptionClientToServer);
        encryptionServerToClient = List.copyOf(encryptionServerToClient);
        macClientToServer = List.copyOf(macClientToServer);
        macServerToClient = List.copyOf(macServerToClient);
        compressionClientToServer = List.copyOf(compressionClientToServer);
        compressionServerToClient = List.copyOf(compressionServerToClient);
        languagesClientToServer = List.copyOf(languagesClientToServer);
        languagesServerToClient = List.copyOf(languagesServerToClient);
    }

    @Override
    public byte[] cookie() {
        return cookie.clone();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeRaw(cookie)
                .writeNameList(kexAlgorithms)
                .writeNameList(serverHostKeyAlgorithms)
                .writeNameList(encryptionClientToServer)
                .writeNameList(encryptionServerToClient)
                .writeNameList(macClientToServer)
                .writeNameList(macServerToClient)
                .writeNameList(compressionClientToServer)
                .writeNameList(compressionServerToClient)
                .writeNameList(languagesClientToServer)
                .writeNameList(languagesServerToClient)
                .writeBoolean(firstKexPacketFollows)
                .writeUint32(reserved);
    }

    public static KexInit decode(SshReader r) {
        byte[] cookie = new byte[COOKIE_LENGTH];
        for (int i = 0; i < COOKIE_LENGTH; i++) {
            cookie[i] = r.readByte();
        }
        KexInit m = new KexInit(cookie,
                r.readNameList(), r.readNameList(), r.readNameList(), r.readNameList(), r.readNameList(),
                r.readNameList(), r.readNameList(), r.readNameList(), r.readNameList(), r.readNameList(),
                r.readBoolean(), r.readUint32());
        r.ensureEnd("KEXINIT");
        return m;
    }
}
