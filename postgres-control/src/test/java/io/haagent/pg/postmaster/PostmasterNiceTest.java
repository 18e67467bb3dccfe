package io.haagent.pg.postmaster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An agent running with a raised priority (Nice=-5) starts its postmaster back at the default priority. */
class PostmasterNiceTest {

    @Test
    void aPostmasterOfAnAgentAtANegativeNiceIsStartedAtTheDefaultPriority() throws Exception {
        assertThat(PostmasterLauncher.niceBack(-5)).containsExactly("/usr/bin/nice", "-n", "5");
        assertThat(PostmasterLauncher.niceBack(0)).isEmpty();
        assertThat(PostmasterLauncher.niceBack(10)).as("never lowered by the agent").isEmpty();

        // the real nice(1) with what niceBack gives: a child of a process at nice N runs at N + 5
        int own = PostmasterLauncher.ownNice();
        List<String> cmd = new ArrayList<>(PostmasterLauncher.niceBack(-5));
        cmd.addAll(List.of("sh", "-c", "cut -d' ' -f19 /proc/self/stat"));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(Integer.parseInt(out)).isEqualTo(Math.min(own + 5, 19));
    }

    @Test
    void ownNiceIsThisProcessesNiceValue() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertThat(PostmasterLauncher.ownNice()).isEqualTo(Integer.parseInt(f[16]));
    }
}
