package io.haagent.pg.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.pg.Pgpass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
    @TempDir
    Path data;

    private ConfigFiles files() {
        return new ConfigFiles(data, data, null, null, data.resolve("pgpass"));
    }

    @Test
    void initdbsConfigurationBecomesTheBaseFile() throws Exception {
        Files.writeString(data.resolve("postgresql.conf"), "# initdb\nshared_buffers = 128MB\n");
        files().ensureBaseConf();
        assertThat(data.resolve("postgresql.base.conf")).hasContent("# initdb\nshared_buffers = 128MB");
        assertThat(data.resolve("postgresql.conf")).doesNotExist();
    }

    @Test
    void ourOwnFileIsNeverMadeTheBaseFile() throws Exception {
        Files.writeString(data.resolve("postgresql.conf"), PostgresqlConfFile.HEADER + "include 'postgresql.base.conf'\n");
        files().ensureBaseConf();
        assertThat(data.resolve("postgresql.base.conf")).isEmptyFile();
        assertThat(data.resolve("postgresql.conf")).exists();
    }

    @Test
    void writesAreSkippedWhenNothingChangedAndLeaveNoTemporaryFiles() throws Exception {
        ConfigFiles f = files();
        assertThat(f.writePostgresqlConf("a = '1'\n")).isTrue();
        assertThat(f.writePostgresqlConf("a = '1'\n")).isFalse();
        assertThat(Files.getPosixFilePermissions(f.postgresqlConf())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var s = Files.list(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void standbySignalComesAndGoesAndRecoverySignalNeverStays() throws Exception {
        ConfigFiles f = files();
        Files.writeString(f.recoverySignal(), "");
        f.setStandby(true);
        assertThat(f.standbySignal()).exists();
        assertThat(f.recoverySignal()).doesNotExist();
        f.setStandby(false);
        assertThat(f.standbySignal()).doesNotExist();
    }

    @Test
    void pgpassIsOwnerOnly() throws Exception {
        ConfigFiles f = files();
        f.writePgpass(List.of(Pgpass.of("h", 5432, "u", "p:w")));
        assertThat(f.pgpass()).hasContent("h:5432:*:u:p\\:w");
        assertThat(Files.getPosixFilePermissions(f.pgpass())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void bootstrapHbaLinesAreAppendedToInitdbsFile() throws Exception {
        Files.writeString(data.resolve("pg_hba.conf"), "local all all trust");
        files().appendHba(List.of("host replication all 10.0.0.0/8 scram-sha-256"));
        assertThat(data.resolve("pg_hba.conf"))
                .hasContent("local all all trust\nhost replication all 10.0.0.0/8 scram-sha-256");
    }

    @Test
    void configurationFilesMissingAfterACloneComeBackFromTheirBackups() throws Exception {
        ConfigFiles f = files();
        Files.writeString(f.hbaFile(), "local all all peer\n");
        f.backup();
        Files.delete(f.hbaFile());
        f.restoreMissingFromBackup();
        assertThat(f.hbaFile()).hasContent("local all all peer");
    }
}
