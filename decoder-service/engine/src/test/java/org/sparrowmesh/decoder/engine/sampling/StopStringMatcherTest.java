package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    @Test
    void aStopStringSplitAcrossDeltasIsDetectedAndNeverShown() {
        StopStringMatcher stops = new StopStringMatcher(List.of("\nUser:"));

        assertThat(stops.append("Hello")).isEqualTo("Hello");
        assertThat(stops.append("\nU")).isEmpty();
        assertThat(stops.append("ser")).isEmpty();
        assertThat(stops.heldBackLength()).isEqualTo(5);
        assertThat(stops.stopped()).isFalse();
        assertThat(stops.append(":")).isEmpty();

        assertThat(stops.stopped()).isTrue();
        assertThat(stops.matchedStopString()).contains("\nUser:");
        assertThat(stops.text()).isEqualTo("Hello");
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStopString() {
        StopStringMatcher stops = new StopStringMatcher(List.of("\nUser:"));

        assertThat(stops.append("Hi")).isEqualTo("Hi");
        assertThat(stops.append("\nU")).isEmpty();
        assertThat(stops.append("nknown")).isEqualTo("\nUnknown");
        assertThat(stops.append("\nUse")).isEmpty();
        assertThat(stops.append("s")).isEqualTo("\nUses");

        assertThat(stops.stopped()).isFalse();
        assertThat(stops.text()).isEqualTo("Hi\nUnknown\nUses");
    }

    @Test
    void textAfterTheStopStringIsNeverReleased() {
        StopStringMatcher stops = new StopStringMatcher(List.of("STOP"));

        assertThat(stops.append("abc STOP tail")).isEqualTo("abc ");
        assertThat(stops.append("more")).isEmpty();
        assertThat(stops.finish()).isEmpty();
        assertThat(stops.text()).isEqualTo("abc ");
    }

    @Test
    void finishReleasesWhatCanNoLongerBecomeAStopString() {
        StopStringMatcher stops = new StopStringMatcher(List.of("\nUser:"));

        assertThat(stops.append("The end\nUs")).isEqualTo("The end");
        assertThat(stops.finish()).isEqualTo("\nUs");
        assertThat(stops.finish()).isEmpty();
        assertThat(stops.text()).isEqualTo("The end\nUs");
        assertThatThrownBy(() -> stops.append("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void overlappingPrefixesAreHeldBackOnlyAsFarAsNeeded() {
        StopStringMatcher stops = new StopStringMatcher(List.of("aab"));

        assertThat(stops.append("a")).isEmpty();
        assertThat(stops.append("a")).isEmpty();
        assertThat(stops.append("a")).isEqualTo("a");
        assertThat(stops.append("b")).isEmpty();
        assertThat(stops.text()).isEqualTo("a");
    }

    @Test
    void theStopStringThatEndsFirstWinsAndOnATieTheLonger() {
        StopStringMatcher endsFirst = new StopStringMatcher(List.of("abc", "b"));
        assertThat(endsFirst.append("xabc")).isEqualTo("xa");
        assertThat(endsFirst.matchedStopString()).contains("b");

        StopStringMatcher tie = new StopStringMatcher(List.of("c", "abc"));
        assertThat(tie.append("xabcd")).isEqualTo("x");
        assertThat(tie.matchedStopString()).contains("abc");
    }

    @Test
    void withoutStopStringsEveryDeltaPassesWhole() {
        StopStringMatcher stops = new StopStringMatcher(List.of());

        assertThat(stops.append("a\nUser:")).isEqualTo("a\nUser:");
        assertThat(stops.stopped()).isFalse();
    }

    @Test
    void anEmptyStopStringIsRefused() {
        assertThatThrownBy(() -> new StopStringMatcher(List.of("ok", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stop string 1 is empty");
    }

    @Test
    void theOutcomeDoesNotDependOnHowTheTextIsCut() {
        long seed = 4242;
        SplittableRandom random = new SplittableRandom(seed);
        List<String> stopStrings = List.of("ab", "bca", "\nc", "cccb");
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(1, 30);
            for (int i = 0; i < length; i++) {
                text.append("abc\n".charAt(random.nextInt(4)));
            }
            String expected = reference(text.toString(), stopStrings);

            StopStringMatcher stops = new StopStringMatcher(stopStrings);
            StringBuilder shown = new StringBuilder();
            List<String> pieces = new ArrayList<>();
            for (int at = 0; at < text.length(); ) {
                int end = Math.min(text.length(), at + random.nextInt(1, 6));
                pieces.add(text.substring(at, end));
                shown.append(stops.append(text.substring(at, end)));
                at = end;
                // what a client has seen never contains a stop string nor more than the final text
                assertThat(expected).as("seed %d, trial %d, pieces %s", seed, trial, pieces).startsWith(shown);
            }
            shown.append(stops.finish());

            assertThat(shown.toString()).as("seed %d, trial %d, pieces %s", seed, trial, pieces).isEqualTo(expected);
            assertThat(stops.text()).isEqualTo(expected);
        }
    }

    // the text up to the first position where a stop string ends (the longest if several end there)
    private static String reference(String text, List<String> stopStrings) {
        for (int end = 1; end <= text.length(); end++) {
            String best = null;
            for (String stop : stopStrings) {
                if (end >= stop.length() && text.startsWith(stop, end - stop.length())
                        && (best == null || stop.length() > best.length())) {
                    best = stop;
                }
            }
            if (best != null) {
                return text.substring(0, end - best.length());
            }
        }
        return text;
    }
}
