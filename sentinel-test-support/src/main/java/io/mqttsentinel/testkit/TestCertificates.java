package io.mqttsentinel.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority that issues server and client certificates for tests, written as
 * PEM files (certificate, PKCS#8 private key) that Netty, Mosquitto and the JDK all read.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;

    private TestCertificates(Path dir) throws GeneralSecurityException, IOException {
        this.dir = dir;
        this.caKeys = newKeyPair();
        X500Name name = new X500Name("CN=MQTT Sentinel Test CA");
        X509v3CertificateBuilder b = builder(name, name, caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.caCert = sign(b, caKeys);
        write(dir.resolve("ca.pem"), caCert);
    }

    /**
     * @param dir an existing directory for the PEM files (e.g. a JUnit {@code @TempDir})
     * @return a new CA whose certificate is {@code dir/ca.pem}
     */
    public static TestCertificates create(Path dir) {
        try {
            return new TestCertificates(dir);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the CA certificate's PEM file */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** A certificate and its key, as PEM files. */
    public record Issued(Path certFile, Path keyFile, X509Certificate certificate) {
    }

    /**
     * Issues a server certificate for {@code localhost} and {@code 127.0.0.1}.
     *
     * @param name a file name stem, e.g. "server"
     * @return the PEM files
     */
    public Issued server(String name) {
        return issue(name, "CN=localhost", true, Duration.ofDays(2));
    }

    /**
     * Issues a client certificate with {@code CN=commonName}.
     *
     * @param name       a file name stem
     * @param commonName the subject CN (a device's client id)
     * @return the PEM files
     */
    public Issued client(String name, String commonName) {
        return issue(name, "CN=" + commonName, false, Duration.ofDays(2));
    }

    private Issued issue(String stem, String subject, boolean server, Duration validity) {
        try {
            KeyPair keys = newKeyPair();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(caCert.getSubjectX500Principal().getName()),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(validity)), new X500Name(subject), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (server) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            X509Certificate cert = sign(b, caKeys);
            Path certFile = dir.resolve(stem + ".crt.pem");
            Path keyFile = dir.resolve(stem + ".key.pem");
            write(certFile, cert);
            write(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null).generate());
            return new Issued(certFile, keyFile, cert);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A trust manager factory that trusts exactly the certificate(s) in a PEM file: this CA's
     * {@link #caFile()}, or a self-signed server certificate. For TLS clients in tests (hivemq's
     * {@code sslConfig().trustManagerFactory(...)}, an {@code SSLContext}).
     *
     * @param pemFile a PEM file with one or more certificates
     * @return the factory
     */
    public static javax.net.ssl.TrustManagerFactory trustManagerFactory(Path pemFile) {
        try (java.io.InputStream in = Files.newInputStream(pemFile)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("cert-" + i++, c);
            }
            javax.net.ssl.TrustManagerFactory tmf =
                    javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A key manager factory holding one issued certificate and its key: for TLS clients that present a
     * client certificate.
     *
     * @param issued a certificate issued by a {@code TestCertificates} CA
     * @return the factory (key password empty)
     */
    public static javax.net.ssl.KeyManagerFactory keyManagerFactory(Issued issued) {
        try {
            String pem = Files.readString(issued.keyFile());
            String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            java.security.PrivateKey key = java.security.KeyFactory.getInstance("EC")
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(b64)));
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", key, new char[0], new java.security.cert.Certificate[] {issued.certificate()});
            javax.net.ssl.KeyManagerFactory kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            return kmf;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(2))),
                subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner cs = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(cs));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256, new SecureRandom());
        return g.generateKeyPair();
    }

    private static void write(Path file, Object pemObject) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject);
        }
        Files.writeString(file, sw.toString(), StandardCharsets.US_ASCII);
    }
}
