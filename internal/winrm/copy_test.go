package winrm_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCopyFileWritesTheBytes(t *testing.T) {
	cases := []struct {
		name string
		size int
	}{
		{name: "an empty file", size: 0},
		{name: "a file smaller than one line", size: 1000},
		{name: "a file of a few MiB", size: 3<<20 + 17},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exec := newScriptExecutor(t)
			c := clientFor(t, startHost(t, exec, nil), nil)
			data := randomBytes(t, tc.size)
			// io.MultiReader hides Seek: the copy must work on a plain stream.
			err := c.CopyFile(testContext(t), io.MultiReader(bytes.NewReader(data)), `C:\aksee\file.bin`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(exec.root, "file.bin"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("the host has %d bytes, want the %d sent", len(got), len(data))
			}
			if exec.lastCommand().Script != winrm.CopyScript {
				t.Errorf("the host ran %q, want CopyScript", exec.lastCommand().Script)
			}
		})
	}
}

func TestCopyFileChecksTheHash(t *testing.T) {
	exec := newScriptExecutor(t)
	exec.badHash = true
	c := clientFor(t, startHost(t, exec, nil), nil)
	err := c.CopyFile(testContext(t), strings.NewReader("config"), `C:\aksee\config.json`)
	if !errors.Is(err, winrm.ErrCommandFailed) || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("error %v, want ErrCommandFailed about the SHA-256", err)
	}
}

func TestCopyFileReportsTheHostError(t *testing.T) {
	exec := newScriptExecutor(t)
	exec.root = filepath.Join(exec.root, "missing") // the host cannot create the file
	c := clientFor(t, startHost(t, exec, nil), nil)
	err := c.CopyFile(testContext(t), strings.NewReader("config"), `C:\aksee\config.json`)
	if !errors.Is(err, winrm.ErrCommandFailed) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("error %v, want ErrCommandFailed with the host's message", err)
	}
}

func TestCopyFileIsRetriedAfterAnOutage(t *testing.T) {
	exec := newScriptExecutor(t)
	srv := startHost(t, exec, nil)
	c := clientFor(t, srv, nil)
	var once sync.Once
	exec.onCopyLine = func(n int) {
		if n == 10 {
			once.Do(func() { srv.Outage(time.Second) })
		}
	}
	data := randomBytes(t, 2<<20)
	if err := c.CopyFile(testContext(t), bytes.NewReader(data), `C:\aksee\file.bin`); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(exec.root, "file.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("the host has %d bytes, want the %d sent", len(got), len(data))
	}
}
