package io.haagent.rest.bench;

import io.haagent.rest.http.SlowClients;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The timing behind SlowClientsHttpTest, for bench/rest/slow-clients.sh: health-check latency (a new connection
 * per check, as HAProxy makes them) with no load, then while 50 slow clients (40 bodies, 10 heads, one byte every
 * 1.5 s, each from its own 127.0.1.x address) hold connections to the same server.
 *
 * <p>Usage: {@code SlowClientsBench <host:port> <seconds>}; prints two lines
 * {@code <phase> n=<probes> failed=<n> p50=<ms> p99=<ms> max=<ms>} (failed: not answered 200 within 5 s) and one
 * with the attack's counters.
 */
public final class SlowClientsBench {
    private SlowClientsBench() {
    }

    public static void main(String[] args) throws Exception {
        String[] hp = args[0].split(":");
        InetSocketAddress target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        Duration each = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
        List<String> paths = List.of("/health", "/primary");
        report("quiet", SlowClients.probeFor(target, paths, each, Duration.ofMillis(20), Duration.ofSeconds(5)));
        try (SlowClients attack = new SlowClients(target, Duration.ofMillis(1500))) {
            for (int i = 1; i <= 50; i++) {
                attack.add(InetAddress.getByName("127.0.1." + i), i <= 40
                        ? SlowClients.slowBody(i % 2 == 0 ? "/switchover" : "/config") : SlowClients.slowHead());
            }
            attack.start();
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (attack.open() < 50 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            int opened = attack.open();
            report("attack", SlowClients.probeFor(target, paths, each, Duration.ofMillis(20), Duration.ofSeconds(5)));
            System.out.printf("attack connections=%d reconnects=%d refused503=%d%n", opened, attack.reconnects(),
                    attack.refusedWith503());
        }
    }

    private static void report(String phase, List<SlowClients.Probe> probes) {
        List<Long> micros = new ArrayList<>();
        int failed = 0;
        for (SlowClients.Probe p : probes) {
            if (p.status() != 200) {
                failed++;
            }
            micros.add(p.nanos() / 1000);
        }
        micros.sort(null);
        System.out.printf(Locale.ROOT, "%s n=%d failed=%d p50=%.2f p99=%.2f max=%.2f%n", phase, probes.size(), failed,
                micros.get(micros.size() / 2) / 1000.0, micros.get(Math.min(micros.size() - 1,
                        micros.size() * 99 / 100)) / 1000.0, micros.get(micros.size() - 1) / 1000.0);
    }
}
