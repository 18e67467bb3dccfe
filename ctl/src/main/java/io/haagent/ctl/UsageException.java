package io.haagent.ctl;

/**
 * The command line cannot be carried out as written (a missing value with no terminal to ask for it, options that
 * exclude each other): agentctl prints the message and exits 2, as for picocli's own usage errors.
 */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
