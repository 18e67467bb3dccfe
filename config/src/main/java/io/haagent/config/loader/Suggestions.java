package io.haagent.config.loader;

import io.haagent.text.NearestWord;
import java.util.Collection;

/** "Did you mean ...?" for misspelt keys and variable names (the rule lives in {@link NearestWord}). */
final class Suggestions {
    private Suggestions() {
    }

    static String nearest(String word, Collection<String> candidates, int maxLong) {
        return NearestWord.nearest(word, candidates, maxLong);
    }

    static int distance(String a, String b) {
        return NearestWord.distance(a, b);
    }
}
