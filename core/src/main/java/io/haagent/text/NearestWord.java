package io.haagent.text;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?" for misspelt keys and variable names: the nearest candidate by edit distance. */
public final class NearestWord {
    private NearestWord() {
    }

    /**
     * The candidate closest to {@code word} (optimal string alignment distance: insertions, deletions,
     * substitutions, adjacent transpositions), if it is close enough to be a typo: at most 1 edit for words of
     * up to 5 letters, 2 up to 10, else {@code maxLong}. Ties go to the first candidate.
     */
    public static String nearest(String word, Collection<String> candidates, int maxLong) {
        int allowed = word.length() < 3 ? 0 : word.length() <= 5 ? 1 : word.length() <= 10 ? 2 : maxLong;
        if (word.length() > 100) {
            return null; // no key is that long; spare the quadratic work on garbage
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (c.equals(word)) {
                continue;
            }
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= allowed ? best : null;
    }

    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
