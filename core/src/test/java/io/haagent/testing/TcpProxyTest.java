package io.haagent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
    private static final String HOST = "127.0.0.31";
    private final java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ServerSocket echo;
    private TcpProxy proxy;

    @BeforeEach
    void echoServerBehindAProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getByName(HOST));
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    accepted.add(s);
                    Thread c = new Thread(() -> {
                        try (s) {
                            byte[] buf = new byte[1024];
                            int n;
                            while ((n = s.getInputStream().read(buf)) >= 0) {
                                received.addAndGet(n);
                                s.getOutputStream().write(buf, 0, n);
                            }
                        } catch (IOException e) {
                            // client went away
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
        proxy = TcpProxy.start(HOST, HOST, echo.getLocalPort());
    }

    @AfterEach
    void close() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(HOST, proxy.port()), 2000);
        s.setSoTimeout(1000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = in.readNBytes(text.length());
        return new String(buf, StandardCharsets.UTF_8);
    }

    /** The server speaks unasked, on every connection it has. */
    private void serverSays(String text) throws IOException {
        for (Socket s : accepted) {
            if (!s.isClosed()) {
                s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            }
        }
    }

    private static String read(Socket s, int n) throws IOException {
        return new String(s.getInputStream().readNBytes(n), StandardCharsets.UTF_8);
    }

    @Test
    void holdKeepsWhatTheServerSaysUntilReleasedAndSwallowsRequests() throws IOException {
        Socket open = connect();
        assertThat(roundTrip(open, "a")).isEqualTo("a");
        proxy.hold();
        serverSays("zz");
        org.awaitility.Awaitility.await().until(() -> proxy.heldBytes() == 2);
        open.getOutputStream().write('b');
        open.getOutputStream().flush();
        org.awaitility.Awaitility.await().until(() -> proxy.swallowedBytes() == 1);
        assertThat(received.get()).as("the request never reached the server").isEqualTo(1);
        assertThatThrownBy(() -> read(open, 1)).isInstanceOf(SocketTimeoutException.class);

        proxy.releaseHeld();
        assertThat(read(open, 2)).isEqualTo("zz");
        assertThat(proxy.mode()).isEqualTo(TcpProxy.Mode.BLACKHOLE);
        serverSays("q");
        assertThatThrownBy(() -> read(open, 1)).isInstanceOf(SocketTimeoutException.class);

        proxy.pass();
        assertThatThrownBy(() -> roundTrip(open, "d").charAt(0)).isInstanceOf(Exception.class);
        open.close();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "e")).isEqualTo("e");
        }
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
        }
    }

    @Test
    void refuseRejectsNewConnectionsAndResetsOpenOnes() throws IOException {
        Socket open = connect();
        assertThat(roundTrip(open, "a")).isEqualTo("a");
        proxy.refuse();
        assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> roundTrip(open, "b") .charAt(0)).isInstanceOf(Exception.class);
        open.close();
        proxy.pass();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "c")).isEqualTo("c");
        }
    }

    @Test
    void blackholeAcceptsButNeverAnswers() throws IOException {
        Socket open = connect();
        assertThat(roundTrip(open, "a")).isEqualTo("a");
        proxy.blackhole();
        assertThatThrownBy(() -> roundTrip(open, "b")).isInstanceOf(SocketTimeoutException.class);
        assertThat(received.get()).as("nothing reached the server").isEqualTo(1);
        try (Socket fresh = connect()) {
            assertThatThrownBy(() -> roundTrip(fresh, "c")).isInstanceOf(SocketTimeoutException.class);
        }
        proxy.pass();
        // the black-holed connection lost bytes: it is reset; new ones work again
        assertThatThrownBy(() -> roundTrip(open, "d").charAt(0)).isInstanceOf(Exception.class);
        open.close();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "e")).isEqualTo("e");
        }
    }

    @Test
    void dropAnswersLetsRequestsThroughButNotTheReplies() throws IOException {
        Socket open = connect();
        assertThat(roundTrip(open, "a")).isEqualTo("a");
        proxy.dropAnswers();
        assertThatThrownBy(() -> roundTrip(open, "bc")).isInstanceOf(SocketTimeoutException.class);
        assertThat(received.get()).as("the server got the request").isEqualTo(3);
        proxy.pass();
        open.close();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "c")).isEqualTo("c");
        }
    }
}
