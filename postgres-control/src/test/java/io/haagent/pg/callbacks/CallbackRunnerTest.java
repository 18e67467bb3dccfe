package io.haagent.pg.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Role;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.RunningTool;
import io.haagent.pg.process.ToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Callbacks with real scripts: arguments, one at a time, hooks synchronous. */
class CallbackRunnerTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void aCallbackGetsActionRoleAndScopeAndPromotedIsReportedAsThePrimaryInTheClustersSpelling() throws Exception {
        Path log = dir.resolve("log");
        Path cb = script("cb.sh", "echo \"$@\" >> " + log);
        CallbackRunner r = new CallbackRunner(new ProcessRunner(), Map.of("on_role_change", cb + " --flag"),
                "batman", Duration.ofSeconds(30));
        r.fire(CallbackAction.ON_ROLE_CHANGE, Role.PROMOTED).result().get();
        assertThat(log).as("Patroni 4: role=primary").hasContent("--flag on_role_change primary batman");
        r.setRoleNames(io.haagent.cluster.RoleNames.MASTER);
        r.fire(CallbackAction.ON_ROLE_CHANGE, Role.PRIMARY).result().get();
        r.fire(CallbackAction.ON_ROLE_CHANGE, Role.REPLICA).result().get();
        assertThat(log).as("a Patroni 3 cluster: role=master").hasContent(String.join("\n",
                "--flag on_role_change primary batman", "--flag on_role_change master batman",
                "--flag on_role_change replica batman"));
        assertThat(r.fire(CallbackAction.ON_START, Role.REPLICA)).as("not configured").isNull();
    }

    @Test
    void aNewCallbackKillsTheOneStillRunningWithItsChildren() throws Exception {
        Path pids = dir.resolve("pids");
        Path cb = script("slow.sh", "sleep 600 & echo $! >> " + pids + "; wait");
        CallbackRunner r = new CallbackRunner(new ProcessRunner(), Map.of("on_start", cb.toString(),
                "on_role_change", cb.toString()), "batman", Duration.ofMinutes(5));
        RunningTool first = r.fire(CallbackAction.ON_START, Role.REPLICA);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && !Files.readString(pids).isBlank());
        long grandchild = Long.parseLong(Files.readString(pids).strip());
        RunningTool second = r.fire(CallbackAction.ON_ROLE_CHANGE, Role.PRIMARY);
        assertThat(first.result().get().report().timedOut()).as("killed").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                ProcessHandle.of(grandchild).map(h -> !h.isAlive()).orElse(true));
        assertThat(second.isAlive()).isTrue();
        second.kill();
    }

    @Test
    void reloadCallbacksHaveTheirOwnSlot() throws Exception {
        Path cb = script("slow.sh", "sleep 600");
        CallbackRunner r = new CallbackRunner(new ProcessRunner(), Map.of("on_start", cb.toString(),
                "on_reload", cb.toString()), "batman", Duration.ofMinutes(5));
        RunningTool start = r.fire(CallbackAction.ON_START, Role.REPLICA);
        RunningTool reload = r.fire(CallbackAction.ON_RELOAD, Role.REPLICA);
        assertThat(start.isAlive()).isTrue();
        assertThat(reload.isAlive()).isTrue();
        start.kill();
        reload.kill();
    }

    @Test
    void hooksRunSynchronouslyAndReportTheirStatus() throws Exception {
        CallbackRunner r = new CallbackRunner(new ProcessRunner(), Map.of(), "batman", Duration.ofSeconds(30));
        ToolResult refused = r.runHook("pre_promote", script("no.sh", "echo fenced; exit 2") + "",
                Duration.ofSeconds(10));
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.report().lastLines()).containsExactly("fenced");
        assertThat(r.runHook("before_stop", null, Duration.ofSeconds(1))).isNull();
    }
}
