package localcluster

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestRenderSeedGolden(t *testing.T) {
	for _, f := range []Flavour{K3s, K8s} {
		t.Run(string(f), func(t *testing.T) {
			objs, err := RenderSeed(NewPrimary(f, "v1.37.2"), []byte("CA PEM"))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			for _, o := range objs {
				data, err := yaml.Marshal(o.Object)
				if err != nil {
					t.Fatal(err)
				}
				got.WriteString("---\n")
				got.Write(data)
			}
			checkGolden(t, filepath.Join("testdata", "seed-"+string(f)+".yaml"), got.Bytes())
		})
	}
}

func TestRenderSeedLabelsEveryObject(t *testing.T) {
	objs, err := RenderSeed(NewPrimary(K8s, "v1.37.2"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if got := o.GetLabels()[SeedLabel]; got != "k8s" {
			t.Errorf("%s %s: seed label %q, want k8s", o.GetKind(), o.GetName(), got)
		}
	}
}

func TestRenderSeedWithoutServiceRange(t *testing.T) {
	p := NewPrimary(K3s, "v1.37.2")
	p.ServiceIPSize = 0
	objs, err := RenderSeed(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.GetKind() == "ConfigMap" && o.GetName() == KubeVIPConfigMap {
			data, _ := o.Object["data"].(map[string]any)
			if diff := cmp.Diff(map[string]any{}, data); diff != "" {
				t.Errorf("kubevip data with size 0 (-want +got):\n%s", diff)
			}
			return
		}
	}
	t.Fatal("no kubevip ConfigMap in the seed")
}

func TestRenderSeedRejectsUnknownFlavour(t *testing.T) {
	if _, err := RenderSeed(NewPrimary("rke2", "v1.37.2"), nil); err == nil {
		t.Fatal("rendering flavour rke2 succeeded")
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
