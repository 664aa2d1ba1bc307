// Command kubectl-aksee is the kubectl plugin that scales out AKS Edge Essentials clusters.
// Installed on PATH it runs as "kubectl aksee".
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/plugin"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	cmd := plugin.NewCmdAksee(streams)
	executed, err := cmd.ExecuteC()
	plugin.PrintError(streams.ErrOut, executed, err)
	os.Exit(plugin.ExitCode(err))
}
