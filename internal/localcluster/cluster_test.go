package localcluster

import (
	"context"
	"errors"
	"os"
	"testing"
)

// binDir returns the control-plane binaries for tests that start processes, or skips.
func binDir(t *testing.T) string {
	t.Helper()
	if os.Getenv("AKSEE_SKIP_INTEGRATION") == "1" {
		t.Skip("AKSEE_SKIP_INTEGRATION=1")
	}
	dir := os.Getenv("AKSEE_CONTROLPLANE_DIR")
	if dir == "" {
		t.Skip("AKSEE_CONTROLPLANE_DIR is not set (make test sets it)")
	}
	return dir
}

func TestDetachedClusterStopsByDirectory(t *testing.T) {
	bin, dir := binDir(t), t.TempDir()
	c, err := Start(context.Background(), Options{Dir: dir, BinDir: bin, Detach: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, LogTails(dir, 20))
	}
	t.Cleanup(func() { _ = c.Stop() })
	if !Running(dir) {
		t.Fatal("Running reports no process right after Start")
	}

	_, err = Start(context.Background(), Options{Dir: dir, BinDir: bin, Detach: true})
	if !errors.Is(err, ErrRunning) {
		t.Errorf("a second Start in the same directory: got %v, want ErrRunning", err)
	}
	if err := StopDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Processes {
		if pidRuns(p.PID, p.Path) {
			t.Errorf("%s (pid %d) still runs after StopDir", p.Name, p.PID)
		}
	}
	if Running(dir) {
		t.Error("Running reports a process after StopDir")
	}
}
