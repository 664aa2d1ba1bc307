package plugin

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

// winrmPasswordEnv names the environment variable that may hold the WinRM password.
const winrmPasswordEnv = "AKSEE_WINRM_PASSWORD"

// winrmOptions holds the flags of commands that reach a Windows host over WinRM, and turns
// them into a winrm.Config. The password is never a flag value: it comes from
// --password-file, from AKSEE_WINRM_PASSWORD, or from a prompt when stdin is a terminal.
//
// Its --insecure-skip-tls-verify shadows kubectl's flag of that name on the command that
// embeds it: there it is about the Windows host's certificate, and the API server's TLS
// settings come from the kubeconfig.
type winrmOptions struct {
	Username     string
	PasswordFile string
	CAFile       string
	Insecure     bool
	HTTP         bool
	Auth         string

	password       string
	passwordSource string
	caCert         []byte
}

func newWinRMOptions() *winrmOptions {
	return &winrmOptions{Username: "Administrator", Auth: winrm.AuthNTLM}
}

// AddFlags registers the WinRM flags.
func (o *winrmOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Username, "username", o.Username, "User to sign in as on the Windows host.")
	fs.StringVar(&o.PasswordFile, "password-file", o.PasswordFile,
		"File whose first line is the WinRM password. Without it the password is read from "+
			winrmPasswordEnv+", or asked for when stdin is a terminal.")
	fs.StringVar(&o.CAFile, "winrm-ca", o.CAFile,
		"PEM file of the CA that signed the Windows host's WinRM certificate.")
	fs.BoolVar(&o.Insecure, "insecure-skip-tls-verify", o.Insecure,
		"If true, the Windows host's WinRM certificate is not verified. The connection is then "+
			"open to interception.")
	fs.BoolVar(&o.HTTP, "winrm-http", o.HTTP,
		"If true, use WinRM over plain HTTP (port 5985) instead of HTTPS (port 5986).")
	fs.StringVar(&o.Auth, "winrm-auth", o.Auth, "WinRM authentication: ntlm or basic.")
}

// Validate checks the flags without any I/O.
func (o *winrmOptions) Validate() error {
	if o.Username == "" {
		return usageErrorf("--username must not be empty")
	}
	if a := strings.ToLower(o.Auth); a != winrm.AuthNTLM && a != winrm.AuthBasic {
		return usageErrorf("--winrm-auth %q is not ntlm or basic", o.Auth)
	}
	if o.HTTP && (o.CAFile != "" || o.Insecure) {
		return usageErrorf("--winrm-ca and --insecure-skip-tls-verify apply to HTTPS, not --winrm-http")
	}
	if o.CAFile != "" && o.Insecure {
		return usageErrorf("--winrm-ca and --insecure-skip-tls-verify exclude each other")
	}
	return nil
}

// Complete reads the CA file and the password.
func (o *winrmOptions) Complete(streams genericiooptions.IOStreams,
	getenv func(string) string) error {
	if o.CAFile != "" {
		ca, err := os.ReadFile(o.CAFile)
		if err != nil {
			return fmt.Errorf("read --winrm-ca: %w", err)
		}
		o.caCert = ca
	}
	return o.readPassword(streams, getenv)
}

func (o *winrmOptions) readPassword(streams genericiooptions.IOStreams,
	getenv func(string) string) error {
	switch {
	case o.PasswordFile != "":
		data, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			return fmt.Errorf("read --password-file: %w", err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		o.password = strings.TrimRight(line, "\r")
		o.passwordSource = fmt.Sprintf("--password-file %q", o.PasswordFile)
	case getenv(winrmPasswordEnv) != "":
		o.password = getenv(winrmPasswordEnv)
		o.passwordSource = winrmPasswordEnv
	default:
		password, err := promptPassword(streams, o.Username)
		if err != nil {
			return err
		}
		o.password, o.passwordSource = password, "the prompt"
	}
	if o.password == "" {
		return fmt.Errorf("the WinRM password from %s is empty", o.passwordSource)
	}
	return nil
}

// promptPassword asks for the password when stdin is a terminal.
func promptPassword(streams genericiooptions.IOStreams, user string) (string, error) {
	f, ok := streams.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", fmt.Errorf("no WinRM password: set %s or --password-file, or run on a terminal "+
			"to be asked", winrmPasswordEnv)
	}
	fmt.Fprintf(streams.ErrOut, "WinRM password for %s: ", user)
	password, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(streams.ErrOut)
	if err != nil {
		return "", fmt.Errorf("read the WinRM password: %w", err)
	}
	return string(password), nil
}

// Config returns the client configuration for host, "NAME" or "NAME:PORT".
func (o *winrmOptions) Config(host string) (winrm.Config, error) {
	name, port, err := winrm.SplitHostPort(host)
	if err != nil {
		return winrm.Config{}, usageError(err)
	}
	return winrm.Config{
		Host: name, Port: port, HTTP: o.HTTP, Insecure: o.Insecure, CACert: o.caCert,
		Auth: strings.ToLower(o.Auth), Username: o.Username, Password: o.password,
	}, nil
}
