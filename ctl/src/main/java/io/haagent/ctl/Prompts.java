package io.haagent.ctl;

import java.util.Locale;

/**
 * Questions to the operator, each with the flag that answers it when there is no terminal (then the question is
 * not asked: the command stops with a usage error naming the flag).
 */
public final class Prompts {
    private final Terminal terminal;

    public Prompts(Terminal terminal) {
        this.terminal = terminal;
    }

    public boolean interactive() {
        return terminal.interactive();
    }

    /**
     * "Are you sure ...? [y/N]". A "no" aborts with {@link CtlException} ({@code abortMessage}).
     *
     * @param flag the option that skips this question, e.g. {@code --force}
     */
    public void confirm(String question, String flag, String abortMessage) {
        if (!terminal.interactive()) {
            throw new UsageException(question.replaceAll("\\?$", "") + ": there is no terminal to ask; add " + flag
                    + " to confirm");
        }
        String answer = terminal.readLine(question + " [y/N]: ");
        String a = answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT);
        if (!(a.equals("y") || a.equals("yes"))) {
            throw new CtlException(abortMessage);
        }
    }

    /**
     * Asks for a value, offering {@code dflt} (taken on an empty answer).
     *
     * @param flag the option that gives the value, e.g. {@code --candidate}
     */
    public String ask(String question, String dflt, String flag) {
        if (!terminal.interactive()) {
            throw new UsageException("there is no terminal to ask '" + question + "': give it with " + flag);
        }
        String answer = terminal.readLine(question + (dflt == null || dflt.isEmpty() ? "" : " [" + dflt + "]") + ": ");
        if (answer == null) {
            throw new CtlException("no answer (end of input)");
        }
        String a = answer.trim();
        return a.isEmpty() ? dflt : a;
    }
}
