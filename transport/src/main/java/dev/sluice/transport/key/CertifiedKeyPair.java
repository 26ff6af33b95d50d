package dev.sluice.transport.key;

/**
 * A private key presented with its certificate: the public half is the {@link OpenSshCertificate}, and a request
 * to sign with a certificate algorithm ({@code rsa-sha2-512-cert-v01@openssh.com}) signs with the plain one
 * ({@code rsa-sha2-512}), as PROTOCOL.certkeys has it. The private key itself stays where it is (a file, an agent).
 */
final class CertifiedKeyPair implements SshKeyPair {
    private final OpenSshCertificate certificate;
    private final SshKeyPair privateKey;

    CertifiedKeyPair(OpenSshCertificate certificate, SshKeyPair privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    @Override
    public SshPublicKey publicKey() {
        return certificate;
    }

    @Override
    public String comment() {
        return privateKey.comment();
    }

    @Override
    public byte[] sign(String signatureAlgorithm, byte[] data) {
        if (!certificate.supportsSignatureAlgorithm(signatureAlgorithm)) {
            throw new IllegalArgumentException(certificate.keyType() + " cannot sign with " + signatureAlgorithm);
        }
        return privateKey.sign(OpenSshCertificate.plainAlgorithm(signatureAlgorithm), data);
    }

    @Override
    public void destroy() {
        privateKey.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return privateKey.isDestroyed();
    }
}
