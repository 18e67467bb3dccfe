package io.haagent.ctl;

import java.io.Console;

/**
 * The operator at the keyboard, if there is one. Prompts are only ever shown when stdin and stdout are a terminal;
 * colour only when stdout is one and {@code NO_COLOR} is not set. Everything a prompt asks can also be given by a
 * flag (named in the {@link UsageException} raised when there is nobody to ask).
 */
public interface Terminal {

    /** True when a person can answer prompts. */
    boolean interactive();

    /** True when output may carry ANSI colours. */
    boolean colour();

    /** Shows the prompt and reads one line; null at end of input. */
    String readLine(String prompt);

    /** The real one: {@link System#console()} (non-null only when both stdin and stdout are a terminal). */
    static Terminal system(java.util.Map<String, String> env) {
        Console console = System.console();
        boolean colour = console != null && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
        return new Terminal() {
            @Override
            public boolean interactive() {
                return console != null;
            }

            @Override
            public boolean colour() {
                return colour;
            }

            @Override
            public String readLine(String prompt) {
                return console == null ? null : console.readLine("%s", prompt);
            }
        };
    }

    /** No terminal: no prompts, no colour (pipes, cron, tests). */
    Terminal NONE = new Terminal() {
        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public boolean colour() {
            return false;
        }

        @Override
        public String readLine(String prompt) {
            return null;
        }
    };
}
