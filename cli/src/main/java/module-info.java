/**
 * The {@code sluice} command: OpenSSH-compatible {@code ssh}, {@code server}, {@code keygen} and {@code demo}.
 * Its entry point is {@code dev.sluice.cli.Main}; it exports nothing.
 */
module dev.sluice.cli {
    requires dev.sluice.forwarding;
}
