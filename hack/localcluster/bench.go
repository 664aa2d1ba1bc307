package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/localcluster"
)

// bench measures warm starts: etcd alone until /health answers (the baseline: the least
// any control plane needs), the whole control plane until /readyz answers, and until the
// seeded K3s primary's workloads run. It prints a Markdown table of medians.
func bench(args []string) error {
	fs := newFlags("bench")
	binDir := fs.String("bin-dir", "", "Directory of the control-plane binaries.")
	runs := fs.Int("runs", 5, "Number of starts of each kind.")
	dir := fs.String("dir", "", "Scratch directory; a temporary one if empty.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *binDir == "" || *runs < 1 {
		return errors.New("--bin-dir is required and --runs must be at least 1")
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "aksee-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	var etcd, ready, seeded []time.Duration
	for i := range *runs {
		e, err := timeEtcd(*binDir, filepath.Join(*dir, "etcd-"+strconv.Itoa(i)))
		if err != nil {
			return err
		}
		r, s, err := timeCluster(*binDir, filepath.Join(*dir, "cluster-"+strconv.Itoa(i)))
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "run %d: etcd %v, /readyz %v, seeded %v\n", i+1, e, r, s)
		etcd, ready, seeded = append(etcd, e), append(ready, r), append(seeded, s)
	}
	printTable(*runs, etcd, ready, seeded)
	return nil
}

func printTable(runs int, etcd, ready, seeded []time.Duration) {
	base := median(etcd)
	fmt.Printf("| warm start (median of %d) | time | vs etcd alone |\n| --- | --- | --- |\n", runs)
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{
		{"etcd alone, to /health ok (baseline)", etcd},
		{"control plane, to /readyz ok", ready},
		{"control plane seeded as a K3s primary, pods Running", seeded},
	} {
		m := median(row.d)
		fmt.Printf("| %s | %.2f s | %.1fx |\n", row.name, m.Seconds(), m.Seconds()/base.Seconds())
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// timeEtcd starts etcd alone, as the cluster does, and times it to a healthy /health.
func timeEtcd(binDir, dir string) (time.Duration, error) {
	ports := make([]int, 2)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	client := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	begin := time.Now()
	cmd := exec.Command(filepath.Join(binDir, "etcd"), "--name=default", "--data-dir="+dir,
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=default="+peer, "--log-level=warn", "--unsafe-no-fsync")
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start etcd: %w", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, client+"/health", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(begin), nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, errors.New("etcd did not become healthy within 30s")
}

// timeCluster starts a whole control plane and times it to /readyz and to a settled seed.
func timeCluster(binDir, dir string) (ready, seeded time.Duration, err error) {
	ctx := context.Background()
	begin := time.Now()
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: dir, BinDir: binDir})
	if err != nil {
		return 0, 0, fmt.Errorf("%w\n%s", err, localcluster.LogTails(dir, 20))
	}
	defer func() { _ = c.Stop() }()
	ready = time.Since(begin)
	if err := seed(ctx, c, localcluster.K3s); err != nil {
		return 0, 0, err
	}
	return ready, time.Since(begin), nil
}
