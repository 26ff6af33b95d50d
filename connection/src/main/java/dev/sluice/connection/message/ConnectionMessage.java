package dev.sluice.connection.message;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;

/**
 * A message of the SSH connection protocol, RFC 4254 (message numbers 80 to 100).
 *
 * <p>Each implementation declares its wire number as {@code static final byte ID} and has a static
 * {@code decode(SshReader)} that reads the body after the number and requires the payload to end exactly there.
 */
public sealed interface ConnectionMessage extends SshMessage permits GlobalRequest, RequestSuccess, RequestFailure, ChannelOpen,
        ChannelOpenConfirmation, ChannelOpenFailure, ChannelWindowAdjust, ChannelData, ChannelExtendedData,
        ChannelEof, ChannelClose, ChannelRequest, ChannelSuccess, ChannelFailure {

    /** The message number, the first byte of the payload. */
    byte messageId();

    /** The message number as {@link SshMessage} wants it. */
    @Override
    default int id() {
        return messageId() & 0xff;
    }

    /**
     * Decodes one payload. The payload is borrowed and left with its reader index at the end; for
     * {@link ChannelData} and {@link ChannelExtendedData} the result holds a retained slice of it and must be released.
     *
     * @throws SshException PROTOCOL_ERROR for an unknown number or a malformed body
     */
    static ConnectionMessage decode(ByteBuf payload) {
        SshReader r = new SshReader(payload);
        byte id = r.readByte();
        switch (id) {
            case GlobalRequest.ID: return GlobalRequest.decode(r);
            case RequestSuccess.ID: return RequestSuccess.decode(r);
            case RequestFailure.ID: return RequestFailure.decode(r);
            case ChannelOpen.ID: return ChannelOpen.decode(r);
            case ChannelOpenConfirmation.ID: return ChannelOpenConfirmation.decode(r);
            case ChannelOpenFailure.ID: return ChannelOpenFailure.decode(r);
            case ChannelWindowAdjust.ID: return ChannelWindowAdjust.decode(r);
            case ChannelData.ID: return ChannelData.decode(r);
            case ChannelExtendedData.ID: return ChannelExtendedData.decode(r);
            case ChannelEof.ID: return ChannelEof.decode(r);
            case ChannelClose.ID: return ChannelClose.decode(r);
            case ChannelRequest.ID: return ChannelRequest.decode(r);
            case ChannelSuccess.ID: return ChannelSuccess.decode(r);
            case ChannelFailure.ID: return ChannelFailure.decode(r);
            default:
                throw SshException.disconnect(PROTOCOL_ERROR, "unexpected message number %d", id & 0xff);
        }
    }
}
