package dev.sluice.transport;

/** Which end of an SSH connection this side is: it decides who sends what in key exchange and authentication. */
public enum Role {
    CLIENT,
    SERVER
}
