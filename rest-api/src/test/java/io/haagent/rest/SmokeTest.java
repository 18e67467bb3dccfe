package io.haagent.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void primaryAnswers() {
        try (RestApiHarness h = RestApiHarness.primary()) {
            var r = h.get("/primary");
            System.out.println(r.statusCode() + " " + r.headers().map() + " " + r.body());
            assertThat(r.statusCode()).isEqualTo(200);
            var m = h.get("/metrics");
            System.out.println(m.body());
            var c = h.get("/cluster");
            System.out.println(c.statusCode() + " " + c.body());
            var t = h.request("TRACE", "/", null);
            System.out.println(t.statusCode() + " " + t.body());
            var d = h.request("DELETE", "/restart", null);
            System.out.println(d.statusCode() + " " + d.body());
        }
    }
}
