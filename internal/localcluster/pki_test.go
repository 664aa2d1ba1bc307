package localcluster

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPKIGenerate(t *testing.T) {
	pki := PKI{Dir: t.TempDir()}
	if err := pki.Generate([]string{"127.0.0.1", "localhost"}); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(readCert(t, pki.Path(CACertFile)))

	tests := []struct {
		name   string
		cert   string
		verify x509.VerifyOptions
	}{
		{"serving certificate is valid for 127.0.0.1", ServingCert, x509.VerifyOptions{
			DNSName: "127.0.0.1", Roots: roots}},
		{"serving certificate is valid for localhost", ServingCert, x509.VerifyOptions{
			DNSName: "localhost", Roots: roots}},
		{"admin certificate is a client certificate", AdminCertFile, x509.VerifyOptions{
			Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := readCert(t, pki.Path(tc.cert)).Verify(tc.verify); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPKIAdminIsSystemMaster(t *testing.T) {
	pki := PKI{Dir: t.TempDir()}
	if err := pki.Generate([]string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}

	admin := readCert(t, pki.Path(AdminCertFile))
	got := []string{admin.Subject.CommonName}
	got = append(got, admin.Subject.Organization...)
	if diff := cmp.Diff([]string{"kubernetes-admin", "system:masters"}, got); diff != "" {
		t.Errorf("admin subject (-want +got):\n%s", diff)
	}
}

func TestPKIFilesArePrivate(t *testing.T) {
	pki := PKI{Dir: t.TempDir()}
	if err := pki.Generate([]string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}

	for _, f := range []string{CACertFile, CAKeyFile, ServingCert, ServingKey, SAPrivateKey,
		SAPublicKey, AdminCertFile, AdminKeyFile} {
		st, err := os.Stat(pki.Path(f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
}

func TestClientCertCarriesUserAndGroups(t *testing.T) {
	pki := PKI{Dir: t.TempDir()}
	if err := pki.Generate([]string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}

	certPEM, keyPEM, err := pki.ClientCert("alice", "ops", "viewers")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("certificate and key do not match: %v", err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	got := append([]string{cert.Subject.CommonName}, cert.Subject.Organization...)
	if diff := cmp.Diff([]string{"alice", "ops", "viewers"}, got); diff != "" {
		t.Errorf("client subject (-want +got):\n%s", diff)
	}
	if !cert.NotAfter.After(time.Now().Add(24 * time.Hour)) {
		t.Errorf("client certificate expires %v, too soon", cert.NotAfter)
	}
	if cert.IPAddresses != nil && cert.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) {
		t.Error("a client certificate carries a server address")
	}
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
