package io.haagent.ctl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A terminal whose operator gives prepared answers; it records the prompts it was shown. */
final class ScriptedTerminal implements Terminal {
    final Deque<String> answers = new ArrayDeque<>();
    final List<String> prompts = new ArrayList<>();

    ScriptedTerminal(String... answers) {
        this.answers.addAll(List.of(answers));
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public boolean colour() {
        return false;
    }

    @Override
    public String readLine(String prompt) {
        prompts.add(prompt);
        return answers.poll();
    }
}
