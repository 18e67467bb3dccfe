package io.haagent.ctl;

import io.haagent.config.loader.HostEnvironment;
import io.haagent.ctl.output.Colours;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import io.haagent.ctl.settings.CtlSettings;
import io.haagent.ctl.settings.SettingsLoader;
import io.haagent.time.Clock;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of agentctl: where output goes, who can be asked, and the connections opened on the way (closed at the
 * end). Commands reach the cluster only through this, so tests can run them against a real cluster with captured
 * output and a scripted terminal.
 */
public final class Session implements AutoCloseable {
    private final HostEnvironment host;
    private final Terminal terminal;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final List<AutoCloseable> opened = new ArrayList<>();

    private String configFile;
    private String dcsUrl;
    private boolean insecure;
    private int dcsTimeoutSeconds = 5;
    private int apiTimeoutSeconds = 5;
    private CtlSettings settings;
    private MemberApi api;

    public Session(HostEnvironment host, Terminal terminal, PrintStream out, PrintStream err, Clock clock) {
        this.host = host;
        this.terminal = terminal;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    void options(String configFile, String dcsUrl, boolean insecure, int dcsTimeoutSeconds, int apiTimeoutSeconds) {
        this.configFile = configFile;
        this.dcsUrl = dcsUrl != null ? dcsUrl : host.env().get("DCS_URL");
        this.insecure = insecure;
        this.dcsTimeoutSeconds = dcsTimeoutSeconds;
        this.apiTimeoutSeconds = apiTimeoutSeconds;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Clock clock() {
        return clock;
    }

    public Terminal terminal() {
        return terminal;
    }

    public Prompts prompts() {
        return new Prompts(terminal);
    }

    public Colours colours() {
        return new Colours(terminal.colour());
    }

    public HostEnvironment host() {
        return host;
    }

    public CtlSettings settings() {
        if (settings == null) {
            settings = SettingsLoader.load(configFile, dcsUrl, insecure, host);
        }
        return settings;
    }

    /** The cluster to act on: the argument, else the configuration's {@code scope}. */
    public String clusterName(String given) {
        if (given != null && !given.isBlank()) {
            return given;
        }
        String scope = settings().scope();
        if (scope == null || scope.isBlank()) {
            throw new UsageException("no cluster name: give it as an argument, or use -c with a configuration that"
                    + " has a scope");
        }
        return scope;
    }

    /** The cluster's keys in etcd (closed when the session ends). */
    public ClusterStore store(String cluster) {
        ClusterStore s = ClusterStore.open(settings(), cluster, dcsTimeoutSeconds, clock);
        opened.add(s);
        return s;
    }

    public MemberApi api() {
        if (api == null) {
            api = new MemberApi(settings(), Duration.ofSeconds(apiTimeoutSeconds));
        }
        return api;
    }

    public Duration apiTimeout() {
        return Duration.ofSeconds(apiTimeoutSeconds);
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // closing is best effort: the process ends next
            }
        }
        opened.clear();
    }
}
