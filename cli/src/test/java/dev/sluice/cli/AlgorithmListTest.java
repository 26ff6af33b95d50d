package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlgorithmListTest {
    private static final List<String> ALL = List.of("a", "b-gcm", "c-gcm");
    private static final List<String> DEFAULTS = List.of("a", "b-gcm");

    @Test
    void plainListReplacesTheDefaults() {
        assertThat(AlgorithmList.apply(DEFAULTS, ALL, "c-gcm,a", "cipher")).containsExactly("c-gcm", "a");
    }

    @Test
    void plusAppendsMinusRemovesWithWildcardsCaretPutsFirst() {
        assertThat(AlgorithmList.apply(DEFAULTS, ALL, "+c-gcm", "cipher")).containsExactly("a", "b-gcm", "c-gcm");
        assertThat(AlgorithmList.apply(ALL, ALL, "-*-gcm", "cipher")).containsExactly("a");
        assertThat(AlgorithmList.apply(DEFAULTS, ALL, "^b-gcm", "cipher")).containsExactly("b-gcm", "a");
    }

    @Test
    void unknownOrEmptyIsOpenSshsBadSpec() {
        assertThatThrownBy(() -> AlgorithmList.apply(DEFAULTS, ALL, "aes128-cbc", "cipher"))
                .hasMessage("Bad SSH2 cipher spec 'aes128-cbc'.");
        assertThatThrownBy(() -> AlgorithmList.apply(DEFAULTS, ALL, "-*", "cipher"))
                .hasMessage("Bad SSH2 cipher spec '-*'.");
    }
}
