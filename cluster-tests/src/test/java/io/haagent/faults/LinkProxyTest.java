package io.haagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.faults.LinkProxy.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy against an echo server: each fault, per source and per direction. */
class LinkProxyTest {
    private ServerSocket echo;
    private LinkProxy proxy;
    private volatile String source = "pg1";

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // closed
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxy = LinkProxy.start("echo", "127.0.0.1", new InetSocketAddress("127.0.0.1", echo.getLocalPort()),
                s -> source);
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        String[] a = proxy.address().split(":");
        Socket s = new Socket(a[0], Integer.parseInt(a[1]));
        s.setSoTimeout(1500);
        return s;
    }

    /** Sends one byte and returns the echo, or -2 on a read timeout. */
    private static int roundTrip(Socket s, int b) throws IOException {
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        try {
            return s.getInputStream().read();
        } catch (SocketTimeoutException e) {
            return -2;
        }
    }

    @Test
    void passesThenBlackHolesOneSourceInOneDirectionAndHealingResetsTheConnection() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, 7)).isEqualTo(7);
            proxy.set("pg1", Fault.PASS, Fault.BLACKHOLE);
            assertThat(roundTrip(s, 8)).as("the answer is swallowed").isEqualTo(-2);
            assertThat(proxy.takeSwallowed()).containsEntry("pg1", 1L);
            proxy.set("pg1", Fault.PASS, Fault.PASS);
            assertThatThrownBy(() -> {
                roundTrip(s, 9);
                roundTrip(s, 9);
            }).isInstanceOf(IOException.class);
        }
        try (Socket s = connect()) {
            assertThat(roundTrip(s, 10)).isEqualTo(10);
        }
    }

    @Test
    void aFaultOnOneSourceLeavesTheOthersAlone() throws IOException {
        proxy.set("pg2", Fault.BLACKHOLE, Fault.BLACKHOLE);
        try (Socket s = connect()) {
            assertThat(roundTrip(s, 1)).isEqualTo(1);
        }
        source = "pg2";
        try (Socket s = connect()) {
            assertThat(roundTrip(s, 2)).isEqualTo(-2);
        }
    }

    @Test
    void delaysDeliverLateAndInOrder() throws IOException {
        proxy.set("pg1", Fault.delay(400), Fault.PASS);
        try (Socket s = connect()) {
            long t = System.nanoTime();
            s.getOutputStream().write(new byte[] {1, 2});
            assertThat(s.getInputStream().read()).isEqualTo(1);
            assertThat(s.getInputStream().read()).isEqualTo(2);
            assertThat((System.nanoTime() - t) / 1_000_000).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void aDroppedLinkResetsAndRefusesConnections() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, 3)).isEqualTo(3);
            proxy.set("pg1", Fault.DROP, Fault.DROP);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("reset");
        }
        try (Socket s = connect()) {
            int r;
            try {
                r = roundTrip(s, 4);
            } catch (IOException e) {
                r = -1;
            }
            assertThat(r).isEqualTo(-1);
        }
    }
}
