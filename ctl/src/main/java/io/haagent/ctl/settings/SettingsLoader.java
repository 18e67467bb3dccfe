package io.haagent.ctl.settings;

import io.haagent.config.AgentConfig;
import io.haagent.config.EtcdConfig;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.config.loader.Problem;
import io.haagent.config.restclient.RestClientSettings;
import io.haagent.ctl.CtlException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds and reads the configuration as patronictl does: {@code -c FILE} (or {@code PATRONICTL_CONFIG_FILE}),
 * else {@code ~/.config/patroni/patronictl.yaml}, else the node's own file as ha-agent finds it
 * ({@code /etc/patroni/config.yml}, else {@code /etc/patroni/patroni.yml}), when they exist;
 * {@code --dcs-url} replaces the file's etcd section (and works without any file).
 */
public final class SettingsLoader {
    static final String USER_FILE = ".config/patroni/patronictl.yaml";
    /** The node's configuration, where ha-agent looks for it without an argument. */
    static final java.util.List<Path> NODE_FILES = io.haagent.config.loader.ConfigReader.DEFAULT_FILES;

    private SettingsLoader() {
    }

    /**
     * @param configFile {@code -c}, or null
     * @param dcsUrl     {@code --dcs-url}, or null
     */
    public static CtlSettings load(String configFile, String dcsUrl, boolean insecure, HostEnvironment host) {
        Path file = chooseFile(configFile, host);
        DcsUrl url = null;
        if (dcsUrl != null && !dcsUrl.isBlank()) {
            try {
                url = DcsUrl.parse(dcsUrl);
            } catch (IllegalArgumentException e) {
                throw new CtlException(e.getMessage());
            }
        }
        if (file == null) {
            if (url == null) {
                throw new CtlException("no configuration: pass -c with the node's configuration file (or set"
                        + " PATRONICTL_CONFIG_FILE), or --dcs-url etcd3://host:2379; none of ~/" + USER_FILE + ", "
                        + NODE_FILES.get(0) + " and " + NODE_FILES.get(1) + " can be read");
            }
            EtcdConfig etcd = new EtcdConfig("--dcs-url", url.endpoints(), "http", null, null, null, null, null, null);
            return new CtlSettings(url.namespace(), null, etcd, RestClientSettings.none(insecure), null,
                    "--dcs-url " + dcsUrl);
        }
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, host);
        AgentConfig c = loaded.config();
        if (c == null) {
            Problem first = loaded.errors().isEmpty() ? null : loaded.errors().get(0);
            throw new CtlException("cannot read the configuration " + file
                    + (first == null ? "" : ": " + first.format()));
        }
        EtcdConfig etcd = c.etcd();
        if (url != null) {
            // --dcs-url names the etcd to use; the file's credentials and TLS settings go with its endpoints
            etcd = new EtcdConfig("--dcs-url", url.endpoints(), "http", null, null, null, null, null, null);
        } else if (etcd == null || etcd.endpoints() == null || etcd.endpoints().isEmpty()) {
            throw new CtlException(file + " has no etcd3 (or etcd) section with hosts: add one, or pass --dcs-url"
                    + " etcd3://host:2379");
        }
        String namespace = url != null && url.namespace() != null ? url.namespace() : c.namespace();
        return new CtlSettings(namespace, c.scope(), etcd, RestClientSettings.forCtl(c, insecure),
                c.postgresql() == null ? null : c.postgresql().superuser(), file.toString());
    }

    static Path chooseFile(String configFile, HostEnvironment host) {
        String given = configFile != null ? configFile : host.env().get("PATRONICTL_CONFIG_FILE");
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            if (!Files.isReadable(p)) {
                throw new CtlException("the configuration file " + given + " does not exist or cannot be read by this"
                        + " user; check -c/--config-file");
            }
            return p;
        }
        Path user = Path.of(host.home()).resolve(USER_FILE);
        if (Files.isReadable(user)) {
            return user;
        }
        return NODE_FILES.stream().filter(Files::isReadable).findFirst().orElse(null);
    }
}
