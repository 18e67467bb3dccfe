package io.haagent.pg;

/**
 * PostgreSQL's shutdown modes and the signal each sends to the postmaster.
 * {@code smart} waits for clients to leave, {@code fast} disconnects them and writes a shutdown checkpoint,
 * {@code immediate} aborts without a checkpoint (crash recovery on the next start).
 */
public enum StopMode {
    SMART("TERM"),
    FAST("INT"),
    IMMEDIATE("QUIT");

    private final String signal;

    StopMode(String signal) {
        this.signal = signal;
    }

    /** The signal name as {@code pg_ctl kill} takes it. */
    public String signal() {
        return signal;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
