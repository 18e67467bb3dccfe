package io.haagent.ctl.output;

/** ANSI colours, used only when stdout is a terminal and {@code NO_COLOR} is not set. */
public final class Colours {
    private final boolean on;

    public Colours(boolean on) {
        this.on = on;
    }

    public boolean on() {
        return on;
    }

    public String green(String s) {
        return paint("32", s);
    }

    public String red(String s) {
        return paint("31", s);
    }

    public String yellow(String s) {
        return paint("33", s);
    }

    public String cyan(String s) {
        return paint("36", s);
    }

    public String bold(String s) {
        return paint("1", s);
    }

    private String paint(String code, String s) {
        return on ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
