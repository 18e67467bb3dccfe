package io.haagent.ctl;

/**
 * The command was refused or failed: agentctl prints the message on stderr (one line, or a first line followed by
 * details such as one line per member) and exits 1. Nothing was changed unless the message says so.
 */
public class CtlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CtlException(String message) {
        super(message, null, false, false);
    }

    public CtlException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
