package dev.sluice.interop.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * An SSH_ASKPASS program for tests: answers the n-th prompt with the n-th scripted line and records every prompt,
 * so a test sees exactly what ssh (or sluice ssh) asked. With {@code SSH_ASKPASS_REQUIRE=force} both run it instead
 * of reading a terminal.
 */
public final class Askpass {
    private final Path script;
    private final Path prompts;

    private Askpass(Path script, Path prompts) {
        this.script = script;
        this.prompts = prompts;
    }

    /** Writes the program into {@code dir}; an answer list shorter than the prompts makes it fail (a cancel). */
    public static Askpass answering(Path dir, List<String> answers) throws IOException {
        Path answerFile = Files.write(dir.resolve("askpass.answers"), answers);
        Path prompts = dir.resolve("askpass.prompts");
        Files.deleteIfExists(prompts);
        Files.createFile(prompts);
        Path script = dir.resolve("askpass.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "printf '%s\\n' \"$1\" >> '" + prompts + "'\n"
                + "n=$(wc -l < '" + prompts + "')\n"
                + "[ \"$n\" -le " + answers.size() + " ] || exit 1\n"
                + "sed -n \"${n}p\" '" + answerFile + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Askpass(script, prompts);
    }

    /** SSH_ASKPASS and SSH_ASKPASS_REQUIRE=force, for the process environment. */
    public Map<String, String> environment() {
        return Map.of("SSH_ASKPASS", script.toString(), "SSH_ASKPASS_REQUIRE", "force");
    }

    /** The prompts asked so far, in order. */
    public List<String> prompts() throws IOException {
        return Files.readAllLines(prompts);
    }
}
