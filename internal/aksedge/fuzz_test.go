package aksedge

import (
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every JSON file under testdata as a fuzz seed.
func addSeeds(f *testing.F) {
	f.Helper()
	paths, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Machines": [null, {"LinuxNode": null}], "Join": {}}`))
	f.Add([]byte("\xff\xfe{\x00}\x00"))
}

// FuzzParse checks that no input panics the loader and that whatever loads saves to a file
// that loads again to the same bytes.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.json", data)
		if err != nil {
			if len(ParseErrors(err)) == 0 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		first, err := Marshal(c, true)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse("again.json", first)
		if err != nil {
			t.Fatalf("saved file does not load: %v\n%s", err, first)
		}
		second, _ := Marshal(again, true)
		if string(first) != string(second) {
			t.Fatalf("save is not stable:\n%s\n---\n%s", first, second)
		}
		_ = c.Clone()
	})
}

// FuzzValidate checks that no loadable input panics the validator, alone or beside the lab's
// primary config.
func FuzzValidate(f *testing.F) {
	addSeeds(f)
	primary, err := os.ReadFile("testdata/validate/lab-primary-is-clean.json")
	if err != nil {
		f.Fatal(err)
	}
	lab, err := Parse("lab.json", primary)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.json", data)
		if err != nil {
			return
		}
		for _, finding := range Validate(File{Name: "lab.json", Config: lab}, File{Name: "fuzz.json", Config: c},
			File{Name: "copy.json", Config: c.Clone()}) {
			if finding.Message == "" || (finding.Severity != SeverityError && finding.Severity != SeverityWarning) {
				t.Fatalf("malformed finding %+v", finding)
			}
		}
	})
}
