package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks that look at this machine, against real files and the real PostgreSQL 15 binaries. */
class EnvironmentChecksTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void realBinaries() {
        TestBinaries.postgresBinDir();
        TestBinaries.assertNotRoot(); // root reads any directory: the permission case would not hold
    }

    /** validate/base.yml with extra lines under postgresql (and elsewhere). */
    private List<String> validate(String postgresqlLines, String more) throws IOException {
        String base = Files.readString(Path.of("src/test/resources/validate/base.yml"));
        String yaml = base.replace("  data_dir: /nonexistent/ha-agent-test/pg1\n", postgresqlLines) + more;
        Path f = dir.resolve("patroni.yml");
        Files.writeString(f, yaml);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return ConfigLoader.validate(f, TestHost.baseCluster()).problems().stream()
                .map(p -> p.format().replace(dir.toString(), "@DIR@")).toList();
    }

    private List<String> validateDataDir(Path dataDir) throws IOException {
        return validate("  data_dir: " + dataDir + "\n", "");
    }

    @Test
    void anAbsentOrEmptyDataDirectoryIsFine() throws IOException {
        assertThat(validateDataDir(dir.resolve("absent"))).isEmpty();
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve(".keep"), "");
        Files.createDirectories(empty.resolve("lost+found"));
        assertThat(validateDataDir(empty)).isEmpty();
    }

    @Test
    void aDataDirectoryOfThisVersionIsFine() throws IOException {
        Path pg = Files.createDirectories(dir.resolve("pg15"));
        Files.writeString(pg.resolve("PG_VERSION"), "15\n");
        Files.createDirectories(pg.resolve("pg_wal"));
        assertThat(validateDataDir(pg)).isEmpty();
    }

    @Test
    void aDataDirectoryOfAnotherVersionIsAnError() throws IOException {
        Path pg = Files.createDirectories(dir.resolve("14").resolve("main"));
        Files.writeString(pg.resolve("PG_VERSION"), "14\n");
        Files.createDirectories(pg.resolve("pg_wal"));
        assertThat(validateDataDir(pg)).singleElement().asString().matches("@DIR@/patroni.yml:20: error:"
                + " postgresql.data_dir: @DIR@/14/main holds a PostgreSQL 14 cluster but \\S+/postgres is version 15:"
                + " install PostgreSQL 14 and set postgresql.bin_dir to its bin directory, or upgrade the cluster with"
                + " pg_upgrade, or point data_dir elsewhere");
    }

    @Test
    void notADataDirectory() throws IOException {
        Path junk = Files.createDirectories(dir.resolve("junk"));
        Files.writeString(junk.resolve("notes.txt"), "x");
        assertThat(validateDataDir(junk)).containsExactly("@DIR@/patroni.yml:20: error: postgresql.data_dir:"
                + " @DIR@/junk is not empty but is no PostgreSQL data directory (no PG_VERSION): point data_dir at an"
                + " empty or absent directory, or at this node's data directory");

        Path noWal = Files.createDirectories(dir.resolve("nowal"));
        Files.writeString(noWal.resolve("PG_VERSION"), "15\n");
        assertThat(validateDataDir(noWal)).containsExactly("@DIR@/patroni.yml:20: error: postgresql.data_dir:"
                + " @DIR@/nowal holds PG_VERSION but no pg_wal directory: it is not a complete data directory; restore"
                + " it or empty it so that it is created again");

        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertThat(validateDataDir(file)).containsExactly("@DIR@/patroni.yml:20: error: postgresql.data_dir:"
                + " @DIR@/afile is not a directory: point data_dir at a directory (it may not exist yet)");
    }

    @Test
    void anUnreadableDataDirectoryIsAnError() throws IOException {
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assertThat(validateDataDir(locked)).singleElement().asString().startsWith("@DIR@/patroni.yml:20: error:"
                    + " postgresql.data_dir: @DIR@/locked cannot be read by user postgres:");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void binDirMustHoldTheTools() throws IOException {
        assertThat(validate("  data_dir: /nonexistent/x\n  bin_dir: /nonexistent/bin\n", "")).containsExactly(
                "@DIR@/patroni.yml:21: error: postgresql.bin_dir: directory /nonexistent/bin does not exist: correct"
                        + " the path, or leave bin_dir empty to search PATH and /usr/lib/postgresql/<major>/bin");

        assertThat(validate("  data_dir: /nonexistent/x\n  bin_dir: " + TestBinaries.postgresBinDir() + "\n", ""))
                .isEmpty();

        Path empty = Files.createDirectories(dir.resolve("bin"));
        assertThat(validate("  data_dir: /nonexistent/x\n  bin_dir: " + empty + "\n  use_pg_rewind: true\n", ""))
                .containsExactly(
                        "@DIR@/patroni.yml:21: error: postgresql.bin_dir: pg_ctl not found in bin_dir @DIR@/bin: install"
                                + " PostgreSQL (apt-get install postgresql-15)",
                        "@DIR@/patroni.yml:21: error: postgresql.bin_dir: initdb not found in bin_dir @DIR@/bin:"
                                + " install PostgreSQL (apt-get install postgresql-15)",
                        "@DIR@/patroni.yml:21: error: postgresql.bin_dir: pg_controldata not found in bin_dir @DIR@/bin:"
                                + " install PostgreSQL (apt-get install postgresql-15)",
                        "@DIR@/patroni.yml:21: error: postgresql.bin_dir: pg_basebackup not found in bin_dir @DIR@/bin:"
                                + " install PostgreSQL (apt-get install postgresql-15)",
                        "@DIR@/patroni.yml:21: error: postgresql.bin_dir: postgres not found in bin_dir @DIR@/bin:"
                                + " install PostgreSQL (apt-get install postgresql-15)",
                        "@DIR@/patroni.yml:21: error: postgresql.bin_dir: pg_isready not found in bin_dir @DIR@/bin:"
                                + " install PostgreSQL (apt-get install postgresql-15)",
                        "@DIR@/patroni.yml:21: warning: postgresql.bin_dir: pg_rewind not found in bin_dir @DIR@/bin:"
                                + " install PostgreSQL (apt-get install postgresql-15); until then use_pg_rewind cannot"
                                + " rewind a former primary");
    }

    @Test
    void aRenamedToolMustExist() throws IOException {
        assertThat(validate("  data_dir: /nonexistent/x\n  bin_name:\n    pg_ctl: pg_ctl_nonexistent\n", ""))
                .containsExactly("@DIR@/patroni.yml:22: error: postgresql.bin_name.pg_ctl: pg_ctl_nonexistent not"
                        + " found on PATH nor in /usr/lib/postgresql/<major>/bin: install PostgreSQL (apt-get install"
                        + " postgresql-15) or set postgresql.bin_dir");
    }

    @Test
    void certificateFilesMustExist() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        String restapi = "  connect_address: 10.0.0.11:8008\n";
        String base = Files.readString(Path.of("src/test/resources/validate/base.yml"));
        Path f = dir.resolve("tls.yml");
        Files.writeString(f, base.replace(restapi, restapi + "  certfile: /nonexistent/api.pem\n  cafile: " + ca + "\n")
                .replace("etcd3:\n", "etcd3:\n  cacert: /nonexistent/etcd-ca.pem\n"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertThat(ConfigLoader.validate(f, TestHost.baseCluster()).problems()).extracting(Problem::format)
                .containsExactly(
                        f + ":7: error: restapi.certfile: file /nonexistent/api.pem does not exist: correct the path or"
                                + " the file's owner",
                        f + ":10: error: etcd3.cacert: file /nonexistent/etcd-ca.pem does not exist: correct the path or"
                                + " the file's owner");
    }

    @Test
    void aRequiredWatchdogNeedsItsDevice() throws IOException {
        assertThat(validate("  data_dir: /nonexistent/x\n", "watchdog:\n  mode: required\n  device: /nonexistent/wd\n"))
                .containsExactly("@DIR@/patroni.yml:33: error: watchdog.mode: required, but /nonexistent/wd does not"
                        + " exist, so ha-agent would never take the leader lock: load a watchdog driver (modprobe"
                        + " softdog) or set mode: automatic");
        assertThat(validate("  data_dir: /nonexistent/x\n", "watchdog:\n  mode: automatic\n  device: /nonexistent/wd\n"))
                .isEmpty();
    }

    @Test
    void aFileWithPasswordsReadableByEveryoneIsReportedOnce() throws IOException {
        Path f = dir.resolve("open.yml");
        Files.copy(Path.of("src/test/resources/validate/base.yml"), f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ConfigLoader.validate(f, TestHost.baseCluster()).problems()).extracting(Problem::format)
                .containsExactly(f + ":24: warning: postgresql.authentication.superuser.password: this file holds a"
                        + " password and every user of this host may read it: chmod 600 " + f + " (or move the password"
                        + " to a PATRONI_* environment variable)");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(ConfigLoader.validate(f, TestHost.baseCluster()).problems()).isEmpty();
    }

    /**
     * Issue 16: {@code --validate-config} on a running node failed on the REST port its own agent holds. The node's
     * own agent (GET /patroni names this scope and member) holds it: no problem; another agent: an error naming it;
     * with --ignore-listen-port a port in use is never a problem. Real sockets and a real HTTP server.
     */
    @Test
    void theRunningNodesOwnRestPortIsNoError() throws IOException {
        com.sun.net.httpserver.HttpServer api = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        String[] member = {"pg1"};
        api.createContext("/patroni", ex -> {
            byte[] b = ("{\"state\": \"running\", \"patroni\": {\"version\": \"3.3.1\", \"scope\": \"main\","
                    + " \"name\": \"" + member[0] + "\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        api.start();
        try (java.net.ServerSocket pg = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int rest = api.getAddress().getPort();
            String base = Files.readString(Path.of("src/test/resources/validate/base.yml"));
            String yaml = base.replace("  listen: 10.0.0.11:8008\n", "  listen: 127.0.0.1:" + rest + "\n")
                    .replace("  listen: 10.0.0.11:5432\n", "  listen: 127.0.0.1:" + pg.getLocalPort() + "\n");
            Path f = dir.resolve("running.yml");
            Files.writeString(f, yaml);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            SocketNetworkProbe real = new SocketNetworkProbe(1000);
            FixedNetwork etcd = new FixedNetwork(java.util.Set.of(), java.util.Set.of("10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379"));
            NetworkProbe network = new NetworkProbe() {
                @Override
                public String cannotListen(String host, int port) {
                    return real.cannotListen(host, port);
                }

                @Override
                public String cannotReach(String host, int port) {
                    return etcd.cannotReach(host, port);
                }

                @Override
                public RestIdentity restIdentity(String host, int port, boolean tls) {
                    return real.restIdentity(host, port, tls);
                }
            };
            HostEnvironment host = TestHost.postgresUser(network);

            List<String> own = ConfigLoader.validate(f, host).problems().stream().map(Problem::format).toList();
            assertThat(own).singleElement().asString().startsWith(f + ":18: warning: postgresql.listen: cannot listen"
                    + " on 127.0.0.1:" + pg.getLocalPort() + ": port " + pg.getLocalPort() + " is already in use"
                    + " (not by the postmaster of /nonexistent/ha-agent-test/pg1)");
            assertThat(ConfigLoader.validate(f, host, true).problems()).isEmpty();

            member[0] = "pg2";
            List<String> other = ConfigLoader.validate(f, host).problems().stream().map(Problem::format).toList();
            assertThat(other).contains(f + ":5: error: restapi.listen: cannot listen on 127.0.0.1:" + rest + ": port "
                    + rest + " is already in use by the agent of member pg2 in cluster main; free it or choose another"
                    + " address");
            assertThat(ConfigLoader.validate(f, host, true).problems()).isEmpty();
        } finally {
            api.stop(0);
        }
    }
}
