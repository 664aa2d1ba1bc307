package plugin

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

func newCmdToken(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "List and revoke the join tokens kubectl-aksee minted",
		Long: `List and revoke the bootstrap tokens kubectl-aksee minted for joining machines.

Only tokens the plugin minted (labelled app.kubernetes.io/managed-by=kubectl-aksee) are
shown or revoked; kubeadm's, K3s's and hand-made tokens are left alone. Secrets are never
printed.`,
		Args: requireNoArgs,
	}
	cmd.AddCommand(newCmdTokenList(flags, streams), newCmdTokenRevoke(flags, streams))
	return cmd
}

// TokenListOptions holds the flags of "kubectl aksee token list".
type TokenListOptions struct {
	Output string

	flags *genericclioptions.ConfigFlags
	kube  kubeClients
	genericiooptions.IOStreams
}

func newCmdTokenList(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &TokenListOptions{flags: flags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the join tokens kubectl-aksee minted",
		Long: `List the join tokens kubectl-aksee minted: id, expiry and description.

Exit codes: 0 listed, 1 failed, 2 usage error, 3 the cluster could not be reached.`,
		Example: `  # List the tokens
  kubectl aksee token list

  # List them as JSON
  kubectl aksee token list -o json`,
		Args: requireNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			if err := o.Complete(); err != nil {
				return err
			}
			return classifyAPIError(o.Run(cmd.Context()))
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format. One of: json|yaml.")
	return cmd
}

// Validate checks the flags without doing any I/O.
func (o *TokenListOptions) Validate() error {
	return validateOutput(o.Output, outputJSON, outputYAML)
}

// Complete builds the Kubernetes clients.
func (o *TokenListOptions) Complete() error {
	var err error
	o.kube, err = newKubeClients(o.flags)
	return err
}

// Run lists the tokens.
func (o *TokenListOptions) Run(ctx context.Context) error {
	tokens, err := cluster.ListTokens(ctx, o.kube.Client)
	if err != nil {
		return err
	}
	if o.Output != "" {
		if tokens == nil {
			tokens = []cluster.Token{}
		}
		return printData(o.Out, o.Output, map[string]any{"tokens": tokens})
	}
	if len(tokens) == 0 {
		fmt.Fprintln(o.ErrOut, "No tokens minted by kubectl-aksee.")
		return nil
	}
	return printTokenTable(o.Out, tokens, time.Now())
}

func printTokenTable(w io.Writer, tokens []cluster.Token, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "ID\tTTL\tEXPIRES\tGROUPS\tDESCRIPTION")
	for _, t := range tokens {
		ttl := "<expired>"
		if left := t.Expiration.Sub(now); left > 0 {
			ttl = duration.HumanDuration(left)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, ttl, t.Expiration.Format(time.RFC3339),
			strings.Join(t.Groups, ","), t.Description)
	}
	return tw.Flush()
}

// TokenRevokeOptions holds the arguments of "kubectl aksee token revoke".
type TokenRevokeOptions struct {
	IDs []string

	flags *genericclioptions.ConfigFlags
	kube  kubeClients
	genericiooptions.IOStreams
}

func newCmdTokenRevoke(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &TokenRevokeOptions{flags: flags, IOStreams: streams}
	return &cobra.Command{
		Use:   "revoke ID...",
		Short: "Revoke join tokens kubectl-aksee minted",
		Long: `Revoke join tokens kubectl-aksee minted, by id (the part before the dot).

Exit codes: 0 revoked, 1 failed (a token was not found), 2 usage error, 3 the cluster could
not be reached.`,
		Example: `  # Revoke one token
  kubectl aksee token revoke abcdef`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.IDs = args
			if err := o.Validate(); err != nil {
				return err
			}
			if err := o.Complete(); err != nil {
				return err
			}
			return classifyAPIError(o.Run(cmd.Context()))
		},
	}
}

// Validate checks the arguments without doing any I/O.
func (o *TokenRevokeOptions) Validate() error {
	if len(o.IDs) == 0 {
		return usageErrorf("token revoke needs at least one token id; list them with 'kubectl aksee token list'")
	}
	return nil
}

// Complete builds the Kubernetes clients.
func (o *TokenRevokeOptions) Complete() error {
	var err error
	o.kube, err = newKubeClients(o.flags)
	return err
}

// Run revokes each token, going on past failures so one bad id does not keep the rest alive.
func (o *TokenRevokeOptions) Run(ctx context.Context) error {
	var failed []string
	for _, id := range o.IDs {
		if err := cluster.RevokeToken(ctx, o.kube.Client, id); err != nil {
			fmt.Fprintf(o.ErrOut, "error: %v\n", err)
			failed = append(failed, id)
			continue
		}
		fmt.Fprintf(o.Out, "token %q revoked\n", id)
	}
	if len(failed) > 0 {
		return silentExit(ExitFailed)
	}
	return nil
}
