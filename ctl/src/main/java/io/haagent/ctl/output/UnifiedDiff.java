package io.haagent.ctl.output;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two texts, line by line, with three lines of context, as Python's
 * {@code difflib.unified_diff} prints it (which is what patronictl's edit-config shows).
 */
public final class UnifiedDiff {
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /** The diff's lines (no trailing newlines); empty when the texts have the same lines. */
    public static List<String> diff(String before, String after, String fromLabel, String toLabel) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        List<int[]> ops = script(a, b); // each: {kind, indexA, indexB}; kind 0 same, 1 delete, 2 insert
        List<String> out = new ArrayList<>();
        if (ops.stream().allMatch(o -> o[0] == 0)) {
            return out;
        }
        out.add("--- " + fromLabel);
        out.add("+++ " + toLabel);
        int i = 0;
        while (i < ops.size()) {
            if (ops.get(i)[0] == 0) {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            int end = i;
            // extend the hunk while the next change is within 2*CONTEXT unchanged lines
            while (true) {
                while (end < ops.size() && ops.get(end)[0] != 0) {
                    end++;
                }
                int same = 0;
                while (end + same < ops.size() && ops.get(end + same)[0] == 0) {
                    same++;
                }
                if (end + same < ops.size() && same <= 2 * CONTEXT) {
                    end += same;
                    continue;
                }
                end = Math.min(ops.size(), end + Math.min(same, CONTEXT));
                break;
            }
            int aStart = -1;
            int bStart = -1;
            int aLen = 0;
            int bLen = 0;
            List<String> body = new ArrayList<>();
            for (int k = start; k < end; k++) {
                int[] o = ops.get(k);
                if (o[0] != 2) {
                    aLen++;
                    if (aStart < 0) {
                        aStart = o[1];
                    }
                }
                if (o[0] != 1) {
                    bLen++;
                    if (bStart < 0) {
                        bStart = o[2];
                    }
                }
                body.add((o[0] == 0 ? " " : o[0] == 1 ? "-" : "+") + (o[0] == 2 ? b.get(o[2]) : a.get(o[1])));
            }
            out.add("@@ -" + range(aStart < 0 ? position(ops, start, true) : aStart, aLen) + " +"
                    + range(bStart < 0 ? position(ops, start, false) : bStart, bLen) + " @@");
            out.addAll(body);
            i = end;
        }
        return out;
    }

    /** difflib's range: 1-based start, and the length unless it is 1; an empty range names the line before. */
    private static String range(int start0, int length) {
        int begin = start0 + 1;
        if (length == 1) {
            return Integer.toString(begin);
        }
        if (length == 0) {
            begin -= 1;
        }
        return begin + "," + length;
    }

    /** Where an empty side of a hunk sits: the index its next line would have. */
    private static int position(List<int[]> ops, int at, boolean sideA) {
        int pos = 0;
        for (int k = 0; k < at; k++) {
            int[] o = ops.get(k);
            if (sideA ? o[0] != 2 : o[0] != 1) {
                pos++;
            }
        }
        return pos;
    }

    /** The edit script of a longest common subsequence (configurations are small: quadratic is fine). */
    private static List<int[]> script(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<int[]> ops = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                ops.add(new int[] {0, i++, j++});
            } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add(new int[] {1, i++, j});
            } else {
                ops.add(new int[] {2, i, j++});
            }
        }
        return ops;
    }

    private static List<String> lines(String s) {
        String t = s == null ? "" : s;
        while (t.endsWith("\n")) {
            t = t.substring(0, t.length() - 1);
        }
        return List.of(t.split("\n", -1));
    }
}
