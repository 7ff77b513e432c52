package org.sparrowmesh.ranker.data;

/**
 * One human preference: two answers to one dialogue, the preferred one first.
 *
 * @param question the dialogue's last human turn (what the answers answer)
 */
public record PreferenceExample(String id, String subset, String question, String chosen, String rejected) {
}
