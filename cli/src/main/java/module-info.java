/**
 * The {@code sluice} command: OpenSSH-compatible {@code ssh}, {@code server}, {@code keygen} and {@code demo}.
 * Its entry point is {@code dev.sluice.cli.Main}; it exports nothing.
 */
module dev.sluice.cli {
    requires dev.sluice.forwarding;
    // The local terminal in raw mode for interactive sessions (an automatic module).
    requires org.jline;
    requires org.slf4j;
}
