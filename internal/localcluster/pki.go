package localcluster

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certValidity is long enough for any test run or demo and short enough to look deliberate.
const certValidity = 365 * 24 * time.Hour

// PKI names the files of the local cluster's certificate authority and keys, all in one
// directory: the cluster CA (also the controller-manager's signer, so CSRs and the
// bootstrap signer work as on a real cluster), the API server's serving certificate, the
// service-account key pair and the admin client certificate.
type PKI struct {
	Dir string `json:"dir"`
}

// File names inside PKI.Dir.
const (
	CACertFile     = "ca.crt"
	CAKeyFile      = "ca.key"
	ServingCert    = "apiserver.crt"
	ServingKey     = "apiserver.key"
	SAPublicKey    = "sa.pub"
	SAPrivateKey   = "sa.key"
	AdminCertFile  = "admin.crt"
	AdminKeyFile   = "admin.key"
	adminUser      = "kubernetes-admin"
	adminGroup     = "system:masters"
	clusterCAName  = "kubernetes-ca"
	servingCertCN  = "kube-apiserver"
	filePermission = 0o600
)

// Path returns the path of a file in the PKI directory.
func (p PKI) Path(name string) string {
	return filepath.Join(p.Dir, name)
}

// Generate writes a fresh CA, a serving certificate for hosts, a service-account key pair
// and an admin client certificate into p.Dir.
func (p PKI) Generate(hosts []string) error {
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return fmt.Errorf("create %q: %w", p.Dir, err)
	}
	ca, caKey, err := newCA()
	if err != nil {
		return err
	}
	if err := p.writeCert(CACertFile, CAKeyFile, ca, caKey); err != nil {
		return err
	}
	if err := p.issue(ca, caKey, servingTemplate(hosts), ServingCert, ServingKey); err != nil {
		return err
	}
	admin := clientTemplate(adminUser, []string{adminGroup})
	if err := p.issue(ca, caKey, admin, AdminCertFile, AdminKeyFile); err != nil {
		return err
	}
	return p.writeServiceAccountKeys()
}

// ClientCert issues a client certificate for user in groups, signed by the cluster CA, and
// returns it and its key as PEM.
func (p PKI) ClientCert(user string, groups ...string) (certPEM, keyPEM []byte, err error) {
	ca, caKey, err := p.loadCA()
	if err != nil {
		return nil, nil, err
	}
	cert, key, err := sign(ca, caKey, clientTemplate(user, groups))
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return encodeCert(cert), keyPEM, nil
}

// CACertPEM returns the cluster CA certificate as PEM.
func (p PKI) CACertPEM() ([]byte, error) {
	data, err := os.ReadFile(p.Path(CACertFile))
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	return data, nil
}

func newCA() (*x509.Certificate, crypto.Signer, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl := baseTemplate(clusterCAName)
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	return cert, key, nil
}

func servingTemplate(hosts []string) *x509.Certificate {
	tmpl := baseTemplate(servingCertCN)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return tmpl
}

func clientTemplate(user string, groups []string) *x509.Certificate {
	tmpl := baseTemplate(user)
	tmpl.Subject.Organization = groups
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return tmpl
}

func baseTemplate(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
	}
}

func (p PKI) issue(ca *x509.Certificate, caKey crypto.Signer, tmpl *x509.Certificate,
	certFile, keyFile string) error {
	cert, key, err := sign(ca, caKey, tmpl)
	if err != nil {
		return err
	}
	return p.writeCert(certFile, keyFile, cert, key)
}

func sign(ca *x509.Certificate, caKey crypto.Signer, tmpl *x509.Certificate) (
	*x509.Certificate, crypto.Signer, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate for %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse certificate for %q: %w", tmpl.Subject.CommonName, err)
	}
	return cert, key, nil
}

// newKey makes an ECDSA P-256 key: every component (signer, service-account tokens, TLS)
// accepts it and it is generated in microseconds, which keeps a cluster start short.
func newKey() (crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return key, nil
}

func (p PKI) writeServiceAccountKeys() error {
	key, err := newKey()
	if err != nil {
		return err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return fmt.Errorf("encode service-account public key: %w", err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	if err := writeFile(p.Path(SAPrivateKey), keyPEM); err != nil {
		return err
	}
	return writeFile(p.Path(SAPublicKey), pubPEM)
}

func (p PKI) writeCert(certFile, keyFile string, cert *x509.Certificate, key crypto.Signer) error {
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	if err := writeFile(p.Path(certFile), encodeCert(cert)); err != nil {
		return err
	}
	return writeFile(p.Path(keyFile), keyPEM)
}

func (p PKI) loadCA() (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := p.CACertPEM()
	if err != nil {
		return nil, nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, nil, fmt.Errorf("read %q: no PEM block", p.Path(CACertFile))
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(p.Path(CAKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("read CA key: %w", err)
	}
	block, _ = pem.Decode(keyPEM)
	if block == nil {
		return nil, nil, fmt.Errorf("read %q: no PEM block", p.Path(CAKeyFile))
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA key: %w", err)
	}
	return cert, key, nil
}

func encodeCert(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

func encodeKey(key crypto.Signer) ([]byte, error) {
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("encode key: unexpected key type %T", key)
	}
	der, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// writeFile writes data with mode 0600 through a temporary file and a rename, so a reader
// never sees half a key.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(filePermission); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}
