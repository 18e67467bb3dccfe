package io.haagent.ctl.command;

import io.haagent.ctl.CtlException;
import io.haagent.ctl.Session;
import io.haagent.ctl.UsageException;

/**
 * {@code -W} / {@code -w SEC}: output redrawn until interrupted. On a terminal the screen is cleared and the
 * output drawn in place; otherwise each drawing follows the previous one (no escape codes in a pipe). A failed
 * drawing (etcd unreachable for a moment) is shown and the next one tried, as an operator watching expects.
 */
final class Watch {
    interface Screen {
        String draw();
    }

    private Watch() {
    }

    static int loop(Session session, boolean every2, Double seconds, Screen screen) throws InterruptedException {
        Double interval = seconds != null ? seconds : every2 ? Double.valueOf(2) : null;
        if (interval != null && !(interval > 0)) {
            throw new UsageException("--watch needs a number of seconds above 0");
        }
        if (interval == null) {
            session.out().print(screen.draw());
            return 0;
        }
        boolean inPlace = session.terminal().interactive();
        while (true) {
            String text;
            try {
                text = screen.draw();
            } catch (CtlException e) {
                text = "Error: " + e.getMessage() + "\n";
            }
            // cursor home and clear the screen, then draw: the table refreshes where it stands
            session.out().print(inPlace ? "\u001b[H\u001b[2J" + text : text + "\n");
            session.out().flush();
            Thread.sleep(Math.round(interval * 1000));
        }
    }
}
