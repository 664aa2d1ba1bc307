package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// ManagedByLabel marks the bootstrap-token Secrets the plugin minted, so that list and revoke
// never touch tokens made by kubeadm, k3s or an operator.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "kubectl-aksee"
	// DescriptionPrefix starts the description of every token the plugin mints.
	DescriptionPrefix = "kubectl-aksee join"
)

// ErrTokenNotFound means no plugin-minted token has the given id.
var ErrTokenNotFound = errors.New("token not found")

// Token is a bootstrap token. Its secret half is unexported: String and every printer show
// only the id, and Value must be asked for explicitly.
type Token struct {
	ID          string    `json:"id"`
	Expiration  time.Time `json:"expiration"`
	Description string    `json:"description"`
	Groups      []string  `json:"groups"`
	secret      string
}

// Value returns the whole token, "<id>.<secret>". It is the only way to read the secret.
func (t *Token) Value() string {
	return bootstraputil.TokenFromIDAndSecret(t.ID, t.secret)
}

// String shows the token id with its secret redacted.
func (t *Token) String() string { return t.ID + ".<redacted>" }

// TokenOptions describe a token to mint.
type TokenOptions struct {
	Flavour Flavour
	TTL     time.Duration
	// Machine names the machine the token is for; it goes into the description.
	Machine string
}

// MintToken creates a bootstrap token for joining a worker of the given flavour.
func MintToken(ctx context.Context, client kubernetes.Interface, opts TokenOptions) (*Token, error) {
	value, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		return nil, fmt.Errorf("generate bootstrap token: %w", err)
	}
	id, secret, _ := strings.Cut(value, ".")
	tok := &Token{
		ID:          id,
		Expiration:  time.Now().Add(opts.TTL).UTC().Truncate(time.Second),
		Description: strings.TrimSpace(DescriptionPrefix + " " + opts.Machine),
		Groups:      []string{tokenGroup(opts.Flavour)},
		secret:      secret,
	}
	_, err = client.CoreV1().Secrets(metav1.NamespaceSystem).Create(ctx, tok.secretObject(), metav1.CreateOptions{})
	if err != nil {
		return nil, describeAPIError(err, "create", "secrets", metav1.NamespaceSystem)
	}
	return tok, nil
}

func tokenGroup(f Flavour) string {
	if f == K3s {
		return k3sTokenGroup
	}
	return k8sTokenGroup
}

func (t *Token) secretObject() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:      bootstraputil.BootstrapTokenSecretName(t.ID),
			Namespace: metav1.NamespaceSystem,
			Labels:    map[string]string{ManagedByLabel: managedByValue},
		},
		Type: bootstrapapi.SecretTypeBootstrapToken,
		StringData: map[string]string{
			bootstrapapi.BootstrapTokenIDKey:               t.ID,
			bootstrapapi.BootstrapTokenSecretKey:           t.secret,
			bootstrapapi.BootstrapTokenExpirationKey:       t.Expiration.Format(time.RFC3339),
			bootstrapapi.BootstrapTokenDescriptionKey:      t.Description,
			bootstrapapi.BootstrapTokenExtraGroupsKey:      strings.Join(t.Groups, ","),
			bootstrapapi.BootstrapTokenUsageAuthentication: "true",
			bootstrapapi.BootstrapTokenUsageSigningKey:     "true",
		},
	}
}

// ListTokens returns the tokens the plugin minted, without their secrets.
func ListTokens(ctx context.Context, client kubernetes.Interface) ([]Token, error) {
	opts := metav1.ListOptions{
		LabelSelector: ManagedByLabel + "=" + managedByValue,
		FieldSelector: fields.OneTermEqualSelector("type", string(bootstrapapi.SecretTypeBootstrapToken)).String(),
		Limit:         listPageSize,
	}
	var tokens []Token
	for {
		list, err := client.CoreV1().Secrets(metav1.NamespaceSystem).List(ctx, opts)
		if err != nil {
			return nil, describeAPIError(err, "list", "secrets", metav1.NamespaceSystem)
		}
		for i := range list.Items {
			tokens = append(tokens, tokenFromSecret(&list.Items[i]))
		}
		if list.Continue == "" {
			return tokens, nil
		}
		opts.Continue = list.Continue
	}
}

func tokenFromSecret(s *corev1.Secret) Token {
	tok := Token{
		ID:          string(s.Data[bootstrapapi.BootstrapTokenIDKey]),
		Description: string(s.Data[bootstrapapi.BootstrapTokenDescriptionKey]),
	}
	if groups := string(s.Data[bootstrapapi.BootstrapTokenExtraGroupsKey]); groups != "" {
		tok.Groups = strings.Split(groups, ",")
	}
	if exp, err := time.Parse(time.RFC3339, string(s.Data[bootstrapapi.BootstrapTokenExpirationKey])); err == nil {
		tok.Expiration = exp
	}
	return tok
}

// RevokeToken deletes a token the plugin minted. Tokens it did not mint are left alone and
// reported as not found.
func RevokeToken(ctx context.Context, client kubernetes.Interface, id string) error {
	if !bootstraputil.IsValidBootstrapTokenID(id) {
		return fmt.Errorf("token id %q is not six lower-case letters or digits", id)
	}
	secrets := client.CoreV1().Secrets(metav1.NamespaceSystem)
	name := bootstraputil.BootstrapTokenSecretName(id)
	s, err := secrets.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && s.Labels[ManagedByLabel] != managedByValue) {
		return fmt.Errorf("%w: no token with id %q was minted by kubectl-aksee", ErrTokenNotFound, id)
	}
	if err != nil {
		return describeAPIError(err, "get", "secrets", metav1.NamespaceSystem)
	}
	precondition := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &s.UID}}
	if err := secrets.Delete(ctx, name, precondition); err != nil && !apierrors.IsNotFound(err) {
		return describeAPIError(err, "delete", "secrets", metav1.NamespaceSystem)
	}
	return nil
}

// PlaceholderToken is a well-formed token that was never minted, for planning and dry runs.
func PlaceholderToken() *Token {
	return &Token{ID: "000000", secret: "0000000000000000"}
}
