package plugin

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// result is what one run of kubectl-aksee printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// runAksee runs the plugin in-process as main does, with the given arguments.
func runAksee(t testing.TB, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	cmd := NewCmdAksee(streams)
	cmd.SetArgs(args)
	executed, err := cmd.ExecuteC()
	PrintError(&errOut, executed, err)
	resetVerbosity(t)
	return result{stdout: out.String(), stderr: errOut.String(), code: ExitCode(err)}
}

// resetVerbosity puts klog back to -v=0: its verbosity is process-wide, and a run with -v=6
// would otherwise leak into the next.
func resetVerbosity(t testing.TB) {
	t.Helper()
	var fs flag.FlagSet
	klog.InitFlags(&fs)
	if err := fs.Set("v", "0"); err != nil {
		t.Fatal(err)
	}
}
