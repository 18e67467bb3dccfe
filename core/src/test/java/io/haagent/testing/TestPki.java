package io.haagent.testing;

import io.haagent.config.Secret;
import io.haagent.tls.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away CA with server and client certificates, made by the real {@code openssl} in a directory:
 * {@code ca.crt} signs {@code server.crt} (subjectAltName 127.0.0.1 and localhost) and {@code client.crt}
 * (CN pg-admin); {@code other-ca.crt} signs {@code stranger.crt}; {@code self-signed.crt} (CN batman.patroni) has
 * no subjectAltName. Keys are {@code NAME.key}; {@code server-encrypted.key} needs the password key-pass-42.
 */
public final class TestPki {
    public final Path dir;
    private final Path openssl;

    public TestPki(Path dir) {
        this.dir = dir;
        this.openssl = TestBinaries.onPath("openssl", "openssl");
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=ha-agent test CA");
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt",
                "-days", "2", "-subj", "/CN=some other CA");
        write("server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        write("client.ext", "extendedKeyUsage=clientAuth\n");
        issue("server", "rsa:2048", "ca", "/CN=127.0.0.1", "server.ext");
        issue("client", "rsa:2048", "ca", "/CN=pg-admin", "client.ext");
        issue("stranger", "rsa:2048", "other-ca", "/CN=stranger", "client.ext");
        // The same server key in the other encodings Patroni users have on disk.
        run("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "server.key", "-out", "server-encrypted.key", "-passout",
                "pass:key-pass-42");
        run("rsa", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
        run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec-server.key");
        run("req", "-new", "-key", "ec-server.key", "-out", "ec-server.csr", "-subj", "/CN=127.0.0.1");
        run("x509", "-req", "-in", "ec-server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "ec-server.crt", "-days", "2", "-extfile", "server.ext");
        concat("server-with-key.pem", "server.crt", "server.key");
        // What many operators generate, and what Patroni's own acceptance tests use for restapi.certfile, cafile
        // and the client certificate alike: self-signed, no subjectAltName.
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self-signed.key", "-out", "self-signed.crt",
                "-days", "2", "-subj", "/CN=batman.patroni");
    }

    public String path(String name) {
        return dir.resolve(name).toString();
    }

    /** A client context trusting the test CA, presenting {@code clientName}'s certificate when not null. */
    public SSLContext clientContext(String clientName) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(PemFiles.trustStore(dir.resolve("ca.crt")));
            KeyManagerFactory kmf = null;
            if (clientName != null) {
                char[] pw = "client".toCharArray();
                KeyStore ks = PemFiles.keyStore(dir.resolve(clientName + ".crt"), dir.resolve(clientName + ".key"),
                        (Secret) null, pw);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void issue(String name, String keySpec, String ca, String subject, String ext) {
        run("req", "-newkey", keySpec, "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", ext);
    }

    private void write(String name, String content) {
        try {
            Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void concat(String out, String... in) {
        StringBuilder b = new StringBuilder();
        try {
            for (String f : in) {
                b.append(Files.readString(dir.resolve(f)));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        write(out, b.toString());
    }

    private void run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(openssl.toString());
        cmd.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("openssl " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
