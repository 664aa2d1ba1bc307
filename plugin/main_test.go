package plugin

import (
	"bytes"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// result is what one run of kubectl-aksee printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// runAksee runs the plugin in-process as main does, with the given arguments.
func runAksee(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	cmd := NewCmdAksee(streams)
	cmd.SetArgs(args)
	executed, err := cmd.ExecuteC()
	PrintError(&errOut, executed, err)
	return result{stdout: out.String(), stderr: errOut.String(), code: ExitCode(err)}
}
