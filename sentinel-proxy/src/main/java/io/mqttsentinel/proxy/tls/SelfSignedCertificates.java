package io.mqttsentinel.proxy.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates a self-signed server certificate (ECDSA P-256, SHA-256, valid 365 days) as PEM files, for a
 * proxy started without {@code SENTINEL_TLS_CERT}: TLS still protects the link, but devices must be told to
 * trust this certificate (or pin it). Production deployments configure a certificate from a real CA.
 */
public final class SelfSignedCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class);
    private static final Duration VALIDITY = Duration.ofDays(365);

    /**
     * A certificate and its key, PEM files.
     *
     * @param cert the certificate
     * @param key  its private key
     */
    public record Pair(Path cert, Path key) {
    }

    private SelfSignedCertificates() {
    }

    /**
     * The pair of a proxy started without {@code SENTINEL_TLS_CERT}, in {@code dir}: {@code proxy.crt.pem} and
     * {@code proxy.key.pem}, reused when both are there, else generated for this host's name (warning either way:
     * devices must trust it explicitly).
     *
     * @param dir a directory (created if missing)
     * @return the pair
     * @throws UncheckedIOException when the directory or a file cannot be written
     */
    public static Pair ensure(Path dir) {
        Path cert = dir.resolve("proxy.crt.pem");
        Path key = dir.resolve("proxy.key.pem");
        if (Files.isReadable(cert) && Files.isReadable(key)) {
            LOG.warn("SENTINEL_TLS_CERT is unset: using the self-signed certificate {} (devices must trust it explicitly)", cert);
            return new Pair(cert, key);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        String cn;
        try {
            cn = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            cn = "localhost";
        }
        if (cn.isBlank() || cn.length() > 64) {
            cn = "localhost";
        }
        generate(cert, key, cn);
        LOG.warn("SENTINEL_TLS_CERT is unset: generated a self-signed certificate for CN={} into {} "
                + "(devices must trust it explicitly; configure SENTINEL_TLS_CERT/SENTINEL_TLS_KEY in production)", cn, cert);
        return new Pair(cert, key);
    }

    /**
     * Writes a new key pair and a self-signed certificate for {@code commonName} (also its DNS subject
     * alternative name, with {@code localhost} and {@code 127.0.0.1}). The key file is PKCS#8 PEM with
     * permissions {@code rw-------} where supported; both files are written atomically.
     *
     * @param certPem    where the certificate goes
     * @param keyPem     where the private key goes
     * @param commonName the subject CN, e.g. the proxy's host name
     * @return the certificate
     * @throws UncheckedIOException when a file cannot be written
     */
    public static X509Certificate generate(Path certPem, Path keyPem, String commonName) {
        Objects.requireNonNull(certPem, "certPem");
        Objects.requireNonNull(keyPem, "keyPem");
        if (commonName == null || commonName.isBlank() || commonName.length() > 64) {
            throw new IllegalArgumentException("commonName must be 1 to 64 characters, was '" + commonName + "'");
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = g.generateKeyPair();
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName)
                    .addRDN(BCStyle.O, "MQTT Sentinel (self-signed)").build();
            Instant now = Instant.now();
            byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(1, serial),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
            List<GeneralName> sans = new ArrayList<>();
            sans.add(new GeneralName(GeneralName.dNSName, commonName));
            if (!commonName.equals("localhost")) {
                sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
            }
            sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            writeAtomically(keyPem, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()), true);
            writeAtomically(certPem, pem(cert), false);
            return cert;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + certPem + " / " + keyPem, e);
        }
    }

    /** @return {@code o} as PEM text (also used by {@link CoreCertificates}) */
    static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    /** Writes a PEM file atomically, owner-only when secret (also used by {@link CoreCertificates}). */
    static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.write(tmp, content.getBytes(StandardCharsets.US_ASCII));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
