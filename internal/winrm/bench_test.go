package winrm_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
)

// BenchmarkCopyFile64MiB copies 64 MiB to the simulated host with CopyFile (NTLM, over
// HTTPS as by default, and over HTTP) and, in the same iterations, POSTs the same bytes over
// plain HTTP on loopback to a handler that hashes them. Both receivers hash and discard, so
// the ratio measures the transport, not a disk. Run it with:
//
//	go test -count 3 -run '^$' -bench CopyFile64MiB -benchtime 3x ./internal/winrm/
func BenchmarkCopyFile64MiB(b *testing.B) {
	data := randomBytes(b, 64<<20)
	for _, http := range []bool{false, true} {
		name := "https"
		if http {
			name = "http"
		}
		b.Run(name, func(b *testing.B) { benchmarkCopy(b, data, http) })
	}
}

func benchmarkCopy(b *testing.B, data []byte, plainHTTP bool) {
	exec := newScriptExecutor(b)
	exec.discard = true
	srv := startHost(b, exec, func(o *hostsim.ServerOptions) { o.HTTP = plainHTTP })
	c := clientFor(b, srv, nil)
	postURL := startPostSink(b)
	ctx := context.Background()

	var copyTime, postTime time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := c.CopyFile(ctx, bytes.NewReader(data), `C:\aksee\bench.bin`); err != nil {
			b.Fatal(err)
		}
		copyTime += time.Since(start)
		start = time.Now()
		resp, err := http.Post(postURL, "application/octet-stream", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		postTime += time.Since(start)
	}
	mb := float64(len(data)*b.N) / (1 << 20)
	b.ReportMetric(mb/copyTime.Seconds(), "copy-MiB/s")
	b.ReportMetric(mb/postTime.Seconds(), "post-MiB/s")
	b.ReportMetric(copyTime.Seconds()/postTime.Seconds(), "copy/post")
}

// startPostSink serves plain HTTP on loopback, hashing and discarding request bodies.
func startPostSink(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.New()
		_, _ = io.Copy(sum, r.Body)
		_, _ = w.Write(sum.Sum(nil))
	})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}
