package io.haagent.tls;

import io.haagent.config.Secret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PEM files as Patroni takes them ({@code restapi.certfile}, {@code keyfile}, {@code keyfile_password},
 * {@code cafile}, and {@code ctl}'s equivalents) turned into the in-memory key and trust stores that the REST
 * server (Jetty) and the REST clients (the agent's calls to members, agentctl) need. Keys may be PKCS#8 (plain or
 * encrypted with the password), PKCS#1 RSA or SEC1 EC; the key may also sit in the certificate file. Errors name
 * the setting, the file and what is wrong with it.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PemFiles() {
    }

    record Block(String type, String headers, byte[] der) {
    }

    /** A key store holding the private key and certificate chain under alias {@code restapi}. */
    public static KeyStore keyStore(Path certfile, Path keyfile, Secret keyPassword, char[] storePassword) {
        return keyStore("restapi", certfile, keyfile, keyPassword, storePassword);
    }

    /**
     * As {@link #keyStore(Path, Path, Secret, char[])}, with messages naming {@code section}'s keys
     * ({@code ctl.certfile}, ...).
     */
    public static KeyStore keyStore(String section, Path certfile, Path keyfile, Secret keyPassword,
            char[] storePassword) {
        List<Block> certBlocks = read(certfile);
        List<X509Certificate> chain = certificates(certfile, certBlocks);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(section + ".certfile " + certfile + ": no CERTIFICATE block found");
        }
        Path keyPath = keyfile == null ? certfile : keyfile;
        List<Block> keyBlocks = keyfile == null ? certBlocks : read(keyfile);
        PrivateKey key = privateKey(section, keyPath, keyBlocks, keyPassword);
        if (!matches(key, chain.get(0))) {
            throw new IllegalArgumentException(section + ".certfile " + certfile + " / keyfile " + keyPath
                    + ": the key does not fit the certificate (it belongs to another certificate)");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("restapi", key, storePassword, chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(section + ".certfile " + certfile + " / keyfile " + keyPath
                    + ": the key does not fit the certificate: " + e.getMessage(), e);
        }
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (alg == null) {
            return true;
        }
        try {
            byte[] probe = "ha-agent key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(alg);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** A trust store with every certificate of {@code cafile} (the CAs that sign client certificates). */
    public static KeyStore trustStore(Path cafile) {
        return trustStore("restapi.cafile", cafile);
    }

    /** As {@link #trustStore(Path)}, with messages naming {@code key} ({@code ctl.cacert}, ...). */
    public static KeyStore trustStore(String key, Path cafile) {
        List<X509Certificate> cas = certificates(cafile, read(cafile));
        if (cas.isEmpty()) {
            throw new IllegalArgumentException(key + " " + cafile + ": no CERTIFICATE block found");
        }
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ts.setCertificateEntry("ca-" + i, cas.get(i));
            }
            return ts;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(key + " " + cafile + ": " + e.getMessage(), e);
        }
    }

    static List<Block> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e, e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            StringBuilder headers = new StringBuilder();
            StringBuilder b64 = new StringBuilder();
            for (String line : body.split("\\r?\\n")) {
                if (line.contains(":")) {
                    headers.append(line).append('\n');
                } else {
                    b64.append(line.trim());
                }
            }
            try {
                out.add(new Block(m.group(1), headers.toString(), Base64.getDecoder().decode(b64.toString())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": the " + m.group(1) + " block is not valid base64", e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": not a PEM file (no -----BEGIN ...----- block)");
        }
        return out;
    }

    private static List<X509Certificate> certificates(Path file, List<Block> blocks) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks) {
                if (b.type().equals("CERTIFICATE")) {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": invalid certificate: " + e.getMessage(), e);
        }
        return out;
    }

    private static PrivateKey privateKey(String section, Path file, List<Block> blocks, Secret password) {
        for (Block b : blocks) {
            switch (b.type()) {
                case "PRIVATE KEY":
                    return pkcs8(section, file, b.der());
                case "ENCRYPTED PRIVATE KEY":
                    if (password == null) {
                        throw new IllegalArgumentException(section + ".keyfile " + file
                                + ": the key is encrypted and " + section + ".keyfile_password is not set");
                    }
                    return pkcs8(section, file, decrypt(section, file, b.der(), password));
                case "RSA PRIVATE KEY":
                    if (b.headers().contains("ENCRYPTED")) {
                        throw new IllegalArgumentException(section + ".keyfile " + file + ": legacy encrypted PEM"
                                + " (Proc-Type: 4,ENCRYPTED) is not supported; convert it with"
                                + " 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out NEW'");
                    }
                    return pkcs8(section, file, sequence(integer0(), RSA_ALGORITHM, octetString(b.der())));
                case "EC PRIVATE KEY":
                    if (b.headers().contains("ENCRYPTED")) {
                        throw new IllegalArgumentException(section + ".keyfile " + file + ": legacy encrypted PEM"
                                + " is not supported; convert it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc'");
                    }
                    return pkcs8(section, file, sequence(integer0(),
                            sequence(EC_PUBLIC_KEY_OID, curveOf(section, file, b.der())), octetString(b.der())));
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(section + ".keyfile " + file + ": no private key block found (expected"
                + " PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static byte[] decrypt(String section, Path file, byte[] der, Secret password) {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            // PBES2 keys report their real cipher through the parameters (e.g. PBEWithHmacSHA256AndAES_256).
            String alg = info.getAlgParameters() != null ? info.getAlgParameters().toString() : info.getAlgName();
            SecretKeyFactory skf = SecretKeyFactory.getInstance(alg);
            Cipher cipher = Cipher.getInstance(alg);
            cipher.init(Cipher.DECRYPT_MODE, skf.generateSecret(new PBEKeySpec(password.reveal().toCharArray())),
                    info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(section + ".keyfile " + file
                    + ": cannot decrypt the key with " + section + ".keyfile_password (wrong password or"
                    + " unsupported encryption): " + e.getClass().getSimpleName(), e);
        }
    }

    private static PrivateKey pkcs8(String section, Path file, byte[] der) {
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(section + ".keyfile " + file + ": not an RSA, EC or EdDSA private key");
    }

    /** The named-curve OID from a SEC1 {@code ECPrivateKey}'s {@code [0] parameters}. */
    private static byte[] curveOf(String section, Path file, byte[] sec1) {
        // ECPrivateKey ::= SEQUENCE { version INTEGER, privateKey OCTET STRING, [0] ECParameters, [1] publicKey }
        int[] seq = header(sec1, 0);
        int pos = seq[0];
        int end = seq[0] + seq[1];
        while (pos < end) {
            int tag = sec1[pos] & 0xFF;
            int[] h = header(sec1, pos);
            if (tag == 0xA0) {
                int[] oid = header(sec1, h[0]);
                int start = h[0];
                byte[] out = new byte[oid[0] - start + oid[1]];
                System.arraycopy(sec1, start, out, 0, out.length);
                return out;
            }
            pos = h[0] + h[1];
        }
        throw new IllegalArgumentException(section + ".keyfile " + file
                + ": the EC key does not name its curve; convert it with 'openssl pkcs8 -topk8 -nocrypt'");
    }

    /** {content offset, content length} of the DER element at {@code pos}. */
    private static int[] header(byte[] der, int pos) {
        int len = der[pos + 1] & 0xFF;
        int off = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7F;
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (der[off + i] & 0xFF);
            }
            off += n;
        }
        return new int[] {off, len};
    }

    private static byte[] integer0() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return tlv(0x30, b.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = content.length;
        if (n < 0x80) {
            b.write(n);
        } else if (n < 0x100) {
            b.write(0x81);
            b.write(n);
        } else if (n < 0x10000) {
            b.write(0x82);
            b.write(n >> 8);
            b.write(n & 0xFF);
        } else {
            b.write(0x83);
            b.write(n >> 16);
            b.write((n >> 8) & 0xFF);
            b.write(n & 0xFF);
        }
        b.writeBytes(content);
        return b.toByteArray();
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
