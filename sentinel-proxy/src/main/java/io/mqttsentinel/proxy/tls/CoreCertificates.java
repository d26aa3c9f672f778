package io.mqttsentinel.proxy.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
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
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private CA of the core link that a single-process deployment ({@code sentinel all}, {@code demo}) creates
 * for itself in its data directory, and the certificates it issues: the broker's server certificate (for
 * {@code localhost} and {@code 127.0.0.1}), and the proxy's and the bridge's client certificates. ECDSA P-256.
 *
 * <p>Files in {@code dir}: {@code core-ca.pem}, {@code core-ca.key.pem}, {@code broker.crt.pem}/{@code .key.pem},
 * {@code proxy-client.crt.pem}/{@code .key.pem}, {@code bridge-client.crt.pem}/{@code .key.pem}. Keys are PKCS#8
 * PEM with permissions {@code rw-------}. Existing files are reused; a certificate that expires within 30 days
 * or was not issued by the current CA is issued again, and all of them when the CA itself is replaced.
 */
public final class CoreCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(CoreCertificates.class);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(825);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    /**
     * @param caCert       the CA certificate (the trust of every side)
     * @param brokerCert   the broker's server certificate
     * @param brokerKey    its key
     * @param proxyCert    the proxy's client certificate
     * @param proxyKey     its key
     * @param bridgeCert   the bridge's client certificate
     * @param bridgeKey    its key
     */
    public record Bundle(Path caCert, Path brokerCert, Path brokerKey, Path proxyCert, Path proxyKey, Path bridgeCert,
                         Path bridgeKey) {
    }

    private CoreCertificates() {
    }

    /**
     * Creates the CA and the certificates in {@code dir}, or reuses those that are there and still valid.
     *
     * @param dir a directory (created if missing)
     * @return the files
     * @throws UncheckedIOException when a file cannot be read or written
     */
    public static synchronized Bundle ensure(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
            Path caCert = dir.resolve("core-ca.pem");
            Path caKey = dir.resolve("core-ca.key.pem");
            boolean fresh = !Files.exists(caCert);
            X509Certificate ca = Files.isReadable(caCert) && Files.isReadable(caKey) ? readCert(caCert) : null;
            PrivateKey caPrivate;
            if (ca == null || expiresSoon(ca)) {
                KeyPair keys = newKeyPair();
                X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "MQTT Sentinel core CA")
                        .addRDN(BCStyle.O, "MQTT Sentinel (private, generated)").build();
                X509v3CertificateBuilder b = builder(name, name, keys, CA_VALIDITY);
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                ca = sign(b, keys.getPrivate());
                SelfSignedCertificates.writeAtomically(caKey,
                        SelfSignedCertificates.pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()), true);
                SelfSignedCertificates.writeAtomically(caCert, SelfSignedCertificates.pem(ca), false);
                caPrivate = keys.getPrivate();
            } else {
                caPrivate = readKey(caKey);
            }
            Bundle f = new Bundle(caCert, dir.resolve("broker.crt.pem"), dir.resolve("broker.key.pem"),
                    dir.resolve("proxy-client.crt.pem"), dir.resolve("proxy-client.key.pem"),
                    dir.resolve("bridge-client.crt.pem"), dir.resolve("bridge-client.key.pem"));
            issueIfNeeded(ca, caPrivate, f.brokerCert(), f.brokerKey(), "sentinel-broker", true);
            issueIfNeeded(ca, caPrivate, f.proxyCert(), f.proxyKey(), "sentinel-proxy", false);
            issueIfNeeded(ca, caPrivate, f.bridgeCert(), f.bridgeKey(), "sentinel-bridge", false);
            if (fresh) {
                LOG.info("core link: generated a private CA {} and the broker's, proxy's and bridge's certificates in {} "
                        + "(mutual TLS between the layers; proxies on other hosts need a certificate of this CA)", caCert, dir);
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the core's certificates in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the core's certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void issueIfNeeded(X509Certificate ca, PrivateKey caKey, Path certFile, Path keyFile, String cn,
                                      boolean server) throws IOException, GeneralSecurityException, OperatorCreationException {
        if (Files.isReadable(certFile) && Files.isReadable(keyFile)) {
            X509Certificate existing = readCert(certFile);
            if (existing != null && !expiresSoon(existing) && issuedBy(existing, ca)) {
                return;
            }
        }
        KeyPair keys = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn)
                .addRDN(BCStyle.O, "MQTT Sentinel core").build();
        X509v3CertificateBuilder b = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), subject, keys, LEAF_VALIDITY);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        X509Certificate cert = sign(b, caKey);
        SelfSignedCertificates.writeAtomically(keyFile,
                SelfSignedCertificates.pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()), true);
        SelfSignedCertificates.writeAtomically(certFile, SelfSignedCertificates.pem(cert), false);
    }

    private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean expiresSoon(X509Certificate cert) {
        return cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
    }

    private static X509Certificate readCert(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            return null; // unreadable: replaced
        }
    }

    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(1, serial), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }
}
