/**
 * A node's configuration, Patroni-compatible: reading a {@code patroni.yml} (or a directory of them) and the
 * {@code PATRONI_*} variables, building the typed {@link io.haagent.config.AgentConfig}, and validating it.
 *
 * <h2>Steps</h2>
 * <ol>
 * <li><b>read</b> ({@link io.haagent.config.loader.ConfigReader}, {@link io.haagent.config.loader.YamlTreeReader},
 * {@link io.haagent.config.loader.PatroniEnvironment}): YAML and variables into a tree of
 * {@link io.haagent.config.loader.ConfigNode}s, each with its {@link io.haagent.config.loader.Origin} (file and
 * line, or variable name);</li>
 * <li><b>build</b> ({@code ConfigBuilder}): the typed records with Patroni's defaults, leniently;</li>
 * <li><b>validate</b>: the schema ({@link io.haagent.config.loader.ConfigSchema}, data in one place), rules across
 * keys ({@code ConfigRules}), and for {@code --validate-config} this machine ({@code EnvironmentChecks}:
 * binaries, data directory, ports, etcd reachability, certificate files, watchdog device, file modes).</li>
 * </ol>
 * {@link io.haagent.config.loader.ConfigLoader#load} (start, reload) runs read, schema, build and rules;
 * {@link io.haagent.config.loader.ConfigLoader#validate} adds the machine checks.
 *
 * <h2>Problem lines</h2>
 * <pre>{@code <file>:<line>: <error|warning>: <key.path>: <what is wrong>[: <what to do>]}</pre>
 * e.g. {@code /etc/patroni.yml:12: error: postgresql.listen: missing: set it to the "host:port" PostgreSQL
 * listens on, e.g. 0.0.0.0:5432}. A value from a variable cites it ({@code PATRONI_RESTAPI_LISTEN: error: ...});
 * a problem with a whole file uses the key path {@code (file)} or {@code (yaml)}; list items are
 * {@code key[i]}. A missing key cites the line of its parent section (line 1 for a top-level key). Lines are
 * sorted file by file, line by line. Passwords are never shown: a scalar where a section was expected is only
 * described ("a string"), and YAML syntax errors never quote the offending line.
 *
 * <h2>Severity decisions</h2>
 * Errors make {@code --validate-config} exit 1; warnings keep 0. Some errors also block the start
 * ({@link io.haagent.config.loader.Problem#blocksStart()}: no scope, no etcd endpoints, no listen address, no
 * data directory, no usable superuser, unreadable YAML); the agent starts despite the others, as Patroni does.
 * <ul>
 * <li>Errors: wrong types, values out of range or not in the enum, addresses that are not {@code host:port},
 * connect addresses that name no host (0.0.0.0, *, ::), required keys, DCS sections other than etcd/etcd3,
 * both nofailover and failover_priority, missing binaries, a REST API port that cannot be listened on, a data directory that is
 * not empty and not a PostgreSQL data directory of the installed major version, missing certificate files, a
 * required watchdog without its device.</li>
 * <li>Warnings: unknown keys (with the nearest known key), legacy names (still read), settings with no effect
 * (restricted GUCs in the local {@code postgresql.parameters}, cluster-wide keys at the top level), the seed's
 * {@code replication.master} shape, connect addresses on loopback (exactly 127.0.0.1, ::1 or localhost: Patroni
 * accepts them and they work while every member and client runs on one host; 127.0.0.11 and the like, which test
 * clusters use for separate nodes, pass silently), {@code etcd:} read as v3, defaults taken for {@code name} (the
 * host name) and the superuser ({@code postgres} over the local socket when running as the postgres OS user), a
 * {@code pg_hba} that does not let the replication user stream, what Patroni 3.3 adjusts in {@code
 * bootstrap.dcs}, an etcd endpoint that does not answer now (the agent keeps retrying), a PostgreSQL port in
 * use (it may be this node's running PostgreSQL), a file holding passwords that every user may read.</li>
 * </ul>
 */
package io.haagent.config.loader;
