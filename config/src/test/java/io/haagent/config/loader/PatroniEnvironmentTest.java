package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.config.AgentConfig;
import io.haagent.config.Credentials;
import io.haagent.config.Secret;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every {@code PATRONI_*} family of §5.4, with Patroni's type coercion. */
class PatroniEnvironmentTest {

    private static Map<String, Object> tree(Map<String, String> env) {
        PatroniEnvironment.Result r = PatroniEnvironment.read(env);
        assertThat(r.problems()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) r.tree().toPlain();
        return plain;
    }

    /** A whole node from variables only, built into the typed configuration. */
    private static AgentConfig load(Map<String, String> vars) {
        Map<String, String> env = new HashMap<>(TestHost.baseEnv());
        env.putAll(vars);
        return ConfigLoader.load(null, TestHost.withEnv(env)).config();
    }

    @Test
    void nameNamespaceScope() {
        assertThat(tree(Map.of("PATRONI_NAME", "pg1", "PATRONI_NAMESPACE", "/db", "PATRONI_SCOPE", "main")))
                .isEqualTo(Map.of("name", "pg1", "namespace", "/db", "scope", "main"));
    }

    @Test
    void emptyValuesAreNotSet() {
        assertThat(tree(Map.of("PATRONI_NAME", "", "PATRONI_RESTAPI_LISTEN", ""))).isEmpty();
    }

    @Test
    void logVariablesWithIntegersMapsListsAndTheLegacyNames() {
        Map<String, String> env = new HashMap<>();
        env.put("PATRONI_LOG_TYPE", "json");
        env.put("PATRONI_LOG_TRACEBACK_LEVEL", "DEBUG");
        env.put("PATRONI_LOG_STATIC_FIELDS", "app: patroni, env: prod");
        env.put("PATRONI_LOG_MAX_QUEUE_SIZE", "500");
        env.put("PATRONI_LOG_DIR", "/var/log/ha-agent");
        env.put("PATRONI_LOG_FILE_NUM", "7");
        env.put("PATRONI_LOG_FILE_SIZE", "1000000");
        env.put("PATRONI_LOG_LOGGERS", "{io.grpc: WARNING, io.haagent.dcs: DEBUG}");
        env.put("PATRONI_LOGLEVEL", "DEBUG"); // legacy name of PATRONI_LOG_LEVEL
        env.put("PATRONI_LOGFORMAT", "asctime, levelname, message"); // no %(...): a list of fields
        env.put("PATRONI_LOG_DATEFMT", "%H:%M:%S"); // legacy name of PATRONI_LOG_DATEFORMAT
        assertThat(tree(env)).isEqualTo(Map.of("log", Map.ofEntries(
                Map.entry("type", "json"),
                Map.entry("traceback_level", "DEBUG"),
                Map.entry("static_fields", Map.of("app", "patroni", "env", "prod")),
                Map.entry("max_queue_size", 500),
                Map.entry("dir", "/var/log/ha-agent"),
                Map.entry("file_num", 7),
                Map.entry("file_size", 1000000),
                Map.entry("loggers", Map.of("io.grpc", "WARNING", "io.haagent.dcs", "DEBUG")),
                Map.entry("level", "DEBUG"),
                Map.entry("format", List.of("asctime", "levelname", "message")),
                Map.entry("dateformat", "%H:%M:%S"))));
    }

    @Test
    void theNewLogVariableWinsOverItsLegacyName() {
        PatroniEnvironment.Result r = PatroniEnvironment.read(Map.of("PATRONI_LOG_LEVEL", "WARNING",
                "PATRONI_LOGLEVEL", "DEBUG", "PATRONI_LOGFORMAT", "%(message)s"));
        assertThat(r.tree().toPlain()).isEqualTo(Map.of("log", Map.of("level", "WARNING", "format", "%(message)s")));
        assertThat(ConfigTree.at(r.tree(), "log.format").origin()).hasToString("PATRONI_LOGFORMAT");
    }

    @Test
    void restapiVariables() {
        Map<String, String> env = new HashMap<>();
        env.put("PATRONI_RESTAPI_LISTEN", "0.0.0.0:8008");
        env.put("PATRONI_RESTAPI_CONNECT_ADDRESS", "10.0.0.11:8008");
        env.put("PATRONI_RESTAPI_CERTFILE", "/etc/ssl/api.pem");
        env.put("PATRONI_RESTAPI_KEYFILE", "/etc/ssl/api.key");
        env.put("PATRONI_RESTAPI_KEYFILE_PASSWORD", "kfp");
        env.put("PATRONI_RESTAPI_CAFILE", "/etc/ssl/ca.pem");
        env.put("PATRONI_RESTAPI_CIPHERS", "HIGH");
        env.put("PATRONI_RESTAPI_VERIFY_CLIENT", "optional");
        env.put("PATRONI_RESTAPI_HTTP_EXTRA_HEADERS", "X-Frame-Options: deny");
        env.put("PATRONI_RESTAPI_HTTPS_EXTRA_HEADERS", "{Strict-Transport-Security: max-age=31536000}");
        env.put("PATRONI_RESTAPI_ALLOWLIST", "10.0.0.0/24, 127.0.0.1");
        env.put("PATRONI_RESTAPI_ALLOWLIST_INCLUDE_MEMBERS", "on");
        env.put("PATRONI_RESTAPI_REQUEST_QUEUE_SIZE", "10");
        env.put("PATRONI_RESTAPI_USERNAME", "admin");
        env.put("PATRONI_RESTAPI_PASSWORD", "apipw");
        assertThat(tree(env)).isEqualTo(Map.of("restapi", Map.ofEntries(
                Map.entry("listen", "0.0.0.0:8008"),
                Map.entry("connect_address", "10.0.0.11:8008"),
                Map.entry("certfile", "/etc/ssl/api.pem"),
                Map.entry("keyfile", "/etc/ssl/api.key"),
                Map.entry("keyfile_password", "kfp"),
                Map.entry("cafile", "/etc/ssl/ca.pem"),
                Map.entry("ciphers", "HIGH"),
                Map.entry("verify_client", "optional"),
                Map.entry("http_extra_headers", Map.of("X-Frame-Options", "deny")),
                Map.entry("https_extra_headers", Map.of("Strict-Transport-Security", "max-age=31536000")),
                Map.entry("allowlist", List.of("10.0.0.0/24", "127.0.0.1")),
                Map.entry("allowlist_include_members", true),
                Map.entry("request_queue_size", 10),
                Map.entry("authentication", Map.of("username", "admin", "password", "apipw")))));
    }

    @Test
    void ctlVariables() {
        assertThat(tree(Map.of("PATRONI_CTL_INSECURE", "yes", "PATRONI_CTL_CACERT", "/ca", "PATRONI_CTL_CERTFILE",
                "/c", "PATRONI_CTL_KEYFILE", "/k", "PATRONI_CTL_KEYFILE_PASSWORD", "kp", "PATRONI_CTL_USERNAME", "ops",
                "PATRONI_CTL_PASSWORD", "opspw"))).isEqualTo(Map.of("ctl", Map.of("insecure", true, "cacert", "/ca",
                "certfile", "/c", "keyfile", "/k", "keyfile_password", "kp",
                "authentication", Map.of("username", "ops", "password", "opspw"))));
    }

    @Test
    void postgresqlVariablesBinariesAndCredentials() {
        Map<String, String> env = new HashMap<>();
        env.put("PATRONI_POSTGRESQL_LISTEN", "0.0.0.0:5432");
        env.put("PATRONI_POSTGRESQL_CONNECT_ADDRESS", "10.0.0.11:5432");
        env.put("PATRONI_POSTGRESQL_PROXY_ADDRESS", "10.0.0.11:6432");
        env.put("PATRONI_POSTGRESQL_CONFIG_DIR", "/etc/pg");
        env.put("PATRONI_POSTGRESQL_DATA_DIR", "/var/lib/pg");
        env.put("PATRONI_POSTGRESQL_PGPASS", "/tmp/pgpass");
        env.put("PATRONI_POSTGRESQL_BIN_DIR", "/usr/lib/postgresql/15/bin");
        env.put("PATRONI_POSTGRESQL_BIN_PG_CTL", "pg_ctl15");
        env.put("PATRONI_POSTGRESQL_BIN_PG_REWIND", "/opt/pg_rewind");
        env.put("PATRONI_SUPERUSER_USERNAME", "postgres");
        env.put("PATRONI_SUPERUSER_PASSWORD", "superpw");
        env.put("PATRONI_SUPERUSER_SSLMODE", "require");
        env.put("PATRONI_REPLICATION_USERNAME", "replicator");
        env.put("PATRONI_REPLICATION_PASSWORD", "replpw");
        env.put("PATRONI_REPLICATION_SSLKEY", "/k");
        env.put("PATRONI_REPLICATION_SSLCERT", "/c");
        env.put("PATRONI_REPLICATION_SSLROOTCERT", "/r");
        env.put("PATRONI_REPLICATION_SSLPASSWORD", "sslpw");
        env.put("PATRONI_REPLICATION_SSLCRL", "/crl");
        env.put("PATRONI_REPLICATION_SSLCRLDIR", "/crldir");
        env.put("PATRONI_REPLICATION_GSSENCMODE", "disable");
        env.put("PATRONI_REPLICATION_CHANNEL_BINDING", "require");
        env.put("PATRONI_REWIND_USERNAME", "rewinder");
        env.put("PATRONI_REWIND_PASSWORD", "rewindpw");
        assertThat(tree(env)).isEqualTo(Map.of("postgresql", Map.ofEntries(
                Map.entry("listen", "0.0.0.0:5432"),
                Map.entry("connect_address", "10.0.0.11:5432"),
                Map.entry("proxy_address", "10.0.0.11:6432"),
                Map.entry("config_dir", "/etc/pg"),
                Map.entry("data_dir", "/var/lib/pg"),
                Map.entry("pgpass", "/tmp/pgpass"),
                Map.entry("bin_dir", "/usr/lib/postgresql/15/bin"),
                Map.entry("bin_name", Map.of("pg_ctl", "pg_ctl15", "pg_rewind", "/opt/pg_rewind")),
                Map.entry("authentication", Map.of(
                        "superuser", Map.of("username", "postgres", "password", "superpw", "sslmode", "require"),
                        "replication", Map.ofEntries(Map.entry("username", "replicator"),
                                Map.entry("password", "replpw"), Map.entry("sslkey", "/k"), Map.entry("sslcert", "/c"),
                                Map.entry("sslrootcert", "/r"), Map.entry("sslpassword", "sslpw"),
                                Map.entry("sslcrl", "/crl"), Map.entry("sslcrldir", "/crldir"),
                                Map.entry("gssencmode", "disable"), Map.entry("channel_binding", "require")),
                        "rewind", Map.of("username", "rewinder", "password", "rewindpw"))))));
    }

    @Test
    void etcdVariablesWithPortAsIntegerHostsAsListWithOrWithoutBracketsAndBooleans() {
        assertThat(tree(Map.of("PATRONI_ETCD3_HOSTS", "10.0.0.1:2379,10.0.0.2:2379, 10.0.0.3:2379",
                "PATRONI_ETCD3_PORT", "2380", "PATRONI_ETCD3_PROTOCOL", "https", "PATRONI_ETCD3_USE_PROXIES", "true",
                "PATRONI_ETCD3_CACERT", "/ca", "PATRONI_ETCD3_CERT", "/c", "PATRONI_ETCD3_KEY", "/k",
                "PATRONI_ETCD3_USERNAME", "root", "PATRONI_ETCD3_PASSWORD", "etcdpw")))
                .isEqualTo(Map.of("etcd3", Map.of("hosts", List.of("10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379"),
                        "port", 2380, "protocol", "https", "use_proxies", true, "cacert", "/ca", "cert", "/c",
                        "key", "/k", "username", "root", "password", "etcdpw")));
        assertThat(tree(Map.of("PATRONI_ETCD3_HOSTS", "['10.0.0.1:2379', 10.0.0.2:2379]")))
                .isEqualTo(Map.of("etcd3", Map.of("hosts", List.of("10.0.0.1:2379", "10.0.0.2:2379"))));
        assertThat(tree(Map.of("PATRONI_ETCD_HOST", "10.0.0.1:2379", "PATRONI_ETCD_SRV", "example.com",
                "PATRONI_ETCD_URL", "http://e:2379", "PATRONI_ETCD_PROXY", "http://p:2379",
                "PATRONI_ETCD_SRV_SUFFIX", "x")))
                .isEqualTo(Map.of("etcd", Map.of("host", "10.0.0.1:2379", "srv", "example.com", "url", "http://e:2379",
                        "proxy", "http://p:2379", "srv_suffix", "x")));
    }

    @Test
    void etcdCredentialsAreTheEtcdCredentialsEvenWithoutAnotherEtcdVariable() {
        assertThat(tree(Map.of("PATRONI_ETCD3_USERNAME", "root", "PATRONI_ETCD3_PASSWORD", "etcdpw")))
                .isEqualTo(Map.of("etcd3", Map.of("username", "root", "password", "etcdpw")));
    }

    @Test
    void otherDcsVariablesWithTheirTypes() {
        Map<String, String> env = new HashMap<>();
        env.put("PATRONI_KUBERNETES_LABELS", "{application: patroni, cluster-name: main}");
        env.put("PATRONI_KUBERNETES_USE_ENDPOINTS", "true");
        env.put("PATRONI_KUBERNETES_BYPASS_API_SERVICE", "off");
        env.put("PATRONI_KUBERNETES_PORTS", "[{name: postgresql, port: 5432}]");
        env.put("PATRONI_KUBERNETES_RETRIABLE_HTTP_CODES", "401, 503");
        env.put("PATRONI_CONSUL_CHECKS", "[a, b]");
        env.put("PATRONI_CONSUL_SERVICE_TAGS", "- x\n- y");
        env.put("PATRONI_CONSUL_REGISTER_SERVICE", "yes");
        env.put("PATRONI_CONSUL_VERIFY", "false");
        env.put("PATRONI_ZOOKEEPER_SET_ACLS", "CN=admin: [ALL]");
        env.put("PATRONI_ZOOKEEPER_AUTH_DATA", "{digest: 'u:p'}");
        env.put("PATRONI_CITUS_GROUP", "1");
        env.put("PATRONI_CITUS_DATABASE", "citus");
        env.put("PATRONI_CITUS_HOST", "dropped");
        env.put("PATRONI_RAFT_PARTNER_ADDRS", "'10.0.0.1:1234','10.0.0.2:1234'");
        env.put("PATRONI_RAFT_SELF_ADDR", "10.0.0.3:1234");
        assertThat(tree(env)).isEqualTo(Map.of(
                "kubernetes", Map.of("labels", Map.of("application", "patroni", "cluster-name", "main"),
                        "use_endpoints", true, "bypass_api_service", false,
                        "ports", List.of(Map.of("name", "postgresql", "port", 5432)),
                        "retriable_http_codes", List.of(401, 503)),
                "consul", Map.of("checks", List.of("a", "b"), "service_tags", List.of("x", "y"),
                        "register_service", true, "verify", false),
                "zookeeper", Map.of("set_acls", Map.of("CN=admin", List.of("ALL")), "auth_data", Map.of("digest", "u:p")),
                "citus", Map.of("group", 1, "database", "citus"),
                "raft", Map.of("partner_addrs", List.of("10.0.0.1:1234", "10.0.0.2:1234"),
                        "self_addr", "10.0.0.3:1234")));
    }

    @Test
    void userPasswordsAndOptionsBecomeBootstrapUsers() {
        assertThat(tree(Map.of("PATRONI_admin_PASSWORD", "adminpw", "PATRONI_admin_OPTIONS", "createrole,createdb",
                "PATRONI_app_user_PASSWORD", "apppw")))
                .isEqualTo(Map.of("bootstrap", Map.of("users", Map.of(
                        "admin", Map.of("password", "adminpw", "options", List.of("createrole", "createdb")),
                        "app_user", Map.of("password", "apppw")))));
    }

    @Test
    void aValueThatCannotBeCoercedIsKeptSoThatValidationReportsIt() {
        PatroniEnvironment.Result r = PatroniEnvironment.read(Map.of("PATRONI_RESTAPI_REQUEST_QUEUE_SIZE", "ten",
                "PATRONI_ETCD3_PORT", "two"));
        assertThat(r.tree().toPlain()).isEqualTo(Map.of("restapi", Map.of("request_queue_size", "ten"),
                "etcd3", Map.of("port", "two")));
        assertThat(SchemaCheck.check(r.tree(), ConfigSchema.PATRONI)).extracting(Problem::format).contains(
                "PATRONI_RESTAPI_REQUEST_QUEUE_SIZE: error: restapi.request_queue_size: must be an integer from 0"
                        + " to 4096, not 'ten'",
                "PATRONI_ETCD3_PORT: error: etcd3.port: must be an integer from 1 to 65535, not 'two'");
    }

    @Test
    void unknownPatroniVariablesAreReportedWithTheNearestName() {
        PatroniEnvironment.Result r = PatroniEnvironment.read(Map.of("PATRONI_RESTAPI_LISTN", "0.0.0.0:8008",
                "PATRONI_SOMETHING", "x", "PATH", "/bin"));
        assertThat(r.tree().entries()).isEmpty();
        assertThat(r.problems()).extracting(Problem::format).containsExactly(
                "PATRONI_RESTAPI_LISTN: warning: (environment): not a variable ha-agent (or Patroni) reads; ignored;"
                        + " did you mean PATRONI_RESTAPI_LISTEN?",
                "PATRONI_SOMETHING: warning: (environment): not a variable ha-agent (or Patroni) reads; ignored");
    }

    @Test
    void aNodeConfiguredByVariablesAloneBuildsTheTypedConfiguration() {
        Map<String, String> env = new HashMap<>();
        env.put("PATRONI_SCOPE", "main");
        env.put("PATRONI_NAME", "pg1");
        env.put("PATRONI_RESTAPI_LISTEN", "10.0.0.11:8008");
        env.put("PATRONI_RESTAPI_CONNECT_ADDRESS", "10.0.0.11:8008");
        env.put("PATRONI_RESTAPI_REQUEST_QUEUE_SIZE", "64");
        env.put("PATRONI_RESTAPI_ALLOWLIST_INCLUDE_MEMBERS", "1");
        env.put("PATRONI_ETCD3_HOSTS", "[10.0.0.1:2379, 10.0.0.2]");
        env.put("PATRONI_ETCD3_PROTOCOL", "https");
        env.put("PATRONI_ETCD3_PASSWORD", "etcdpw");
        env.put("PATRONI_POSTGRESQL_LISTEN", "10.0.0.11:5432");
        env.put("PATRONI_POSTGRESQL_CONNECT_ADDRESS", "10.0.0.11:5432");
        env.put("PATRONI_POSTGRESQL_DATA_DIR", "/var/lib/postgresql/15/main");
        env.put("PATRONI_SUPERUSER_USERNAME", "postgres");
        env.put("PATRONI_SUPERUSER_PASSWORD", "superpw");
        env.put("PATRONI_REPLICATION_USERNAME", "replicator");
        env.put("PATRONI_REPLICATION_PASSWORD", "replpw");
        env.put("PATRONI_LOG_FILE_NUM", "9");
        env.put("PATRONI_LOG_DIR", "/var/log/x");
        AgentConfig c = load(env);
        assertThat(c.name()).isEqualTo("pg1");
        assertThat(c.restapi().requestQueueSize()).isEqualTo(64);
        assertThat(c.restapi().allowlistIncludeMembers()).isTrue();
        assertThat(c.etcd().endpoints()).containsExactly("https://10.0.0.1:2379", "https://10.0.0.2:2379");
        assertThat(c.etcd().password()).isEqualTo(Secret.of("etcdpw"));
        assertThat(c.postgresql().superuser()).isEqualTo(Credentials.of("postgres", Secret.of("superpw")));
        assertThat(c.postgresql().replication()).isEqualTo(Credentials.of("replicator", Secret.of("replpw")));
        assertThat(c.log().fileNum()).isEqualTo(9);
        assertThat(c.log().fileSize()).isEqualTo(25_000_000L);
    }
}
