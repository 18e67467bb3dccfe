package io.haagent.cluster;

/** The postgres state strings Patroni publishes (member key {@code state}, {@code /patroni}). */
public final class PostgresState {
    public static final String STOPPED = "stopped";
    public static final String STARTING = "starting";
    public static final String RUNNING = "running";
    public static final String STOPPING = "stopping";
    public static final String STOP_FAILED = "stop failed";
    public static final String CRASHED = "crashed";
    public static final String START_FAILED = "start failed";
    public static final String RESTARTING = "restarting";
    public static final String INITIALIZING = "initializing new cluster";
    public static final String INITDB_FAILED = "initdb failed";
    public static final String CUSTOM_BOOTSTRAP = "running custom bootstrap script";
    public static final String CUSTOM_BOOTSTRAP_FAILED = "custom bootstrap failed";
    public static final String CREATING_REPLICA = "creating replica";
    public static final String UNKNOWN = "unknown";

    private PostgresState() {
    }

    public static String restartFailed(String previous) {
        return "restart failed (" + previous + ")";
    }
}
