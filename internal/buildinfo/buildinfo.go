// Package buildinfo holds what the release build stamps into the binary.
package buildinfo

import "runtime"

// Version and Commit are set at link time with -ldflags "-X ...".
var (
	Version = "v0.0.0-dev"
	Commit  = "unknown"
)

// Info is the version report of the binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the version report of the running binary.
func Get() Info {
	return Info{
		Version:   Version,
		Commit:    Commit,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
}
