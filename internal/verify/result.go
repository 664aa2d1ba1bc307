// Package verify checks an AKS Edge Essentials cluster the way an SRE would after a scale-out:
// the expected nodes are there with the right IP and OS, every node is Ready and schedulable,
// the control plane answers, the system pods run and the AKS EE bookkeeping is in place.
//
// The checks are pure functions over a State (what was read from the cluster) and return
// Results; reading the cluster (Collect, Watcher) and printing the Report are separate.
package verify

import (
	"sort"
)

// Status is the outcome of one check on one object.
type Status string

// The outcomes a check can have. Only Fail makes the cluster unhealthy; Warn is shown but
// does not change the exit code.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Names of the checks, as shown in the CHECK column.
const (
	CheckExpectedNode = "expected-node"
	CheckNodeCount    = "node-count"
	CheckNodeReady    = "node-ready"
	CheckNodePressure = "node-pressure"
	CheckSchedulable  = "node-schedulable"
	CheckNodeOS       = "node-os"
	CheckKubelet      = "kubelet-version"
	CheckTaints       = "node-taints"
	CheckFlavour      = "flavour"
	CheckReadyz       = "apiserver-ready"
	CheckEndpoint     = "control-plane-endpoint"
	CheckControlPlane = "control-plane-count"
	CheckCoreDNS      = "coredns"
	CheckKubeVIP      = "kube-vip"
	CheckCloudProv    = "kube-vip-cloud-provider"
	CheckCalico       = "calico-node"
	CheckRestarts     = "pod-restarts"
	CheckAksEdge      = "aksedge-configmap"
	CheckClusterID    = "cluster-id"
	CheckConnectivity = "connectivity"
)

// Result is the outcome of one check on one object. Message says what was found and, when
// the check did not pass, how to fix it.
type Result struct {
	Check   string `json:"check"`
	Object  string `json:"object"`
	Status  Status `json:"result"`
	Message string `json:"message"`
	// Detail holds supporting facts (versions, conditions, addresses) shown by -o wide.
	Detail string `json:"detail,omitempty"`
}

// Summary counts results by status.
type Summary struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
}

// Report is every result of one verification and the overall status.
type Report struct {
	Status  Status   `json:"result"`
	Summary Summary  `json:"summary"`
	Results []Result `json:"checks"`
}

// NewReport sums up results: the report fails when any result failed.
func NewReport(results []Result) Report {
	r := Report{Status: Pass, Results: results}
	for _, res := range results {
		switch res.Status {
		case Pass:
			r.Summary.Pass++
		case Warn:
			r.Summary.Warn++
		case Fail:
			r.Summary.Fail++
		}
	}
	if r.Summary.Fail > 0 {
		r.Status = Fail
	}
	if r.Results == nil {
		r.Results = []Result{}
	}
	return r
}

// Failed returns the results that failed, in report order.
func (r Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == Fail {
			out = append(out, res)
		}
	}
	return out
}

func pass(check, object, msg string) Result {
	return Result{Check: check, Object: object, Status: Pass, Message: msg}
}

func warn(check, object, msg string) Result {
	return Result{Check: check, Object: object, Status: Warn, Message: msg}
}

func fail(check, object, msg string) Result {
	return Result{Check: check, Object: object, Status: Fail, Message: msg}
}

// withDetail returns r with its Detail set.
func (r Result) withDetail(detail string) Result {
	r.Detail = detail
	return r
}

// sortByObject orders results of one check by object name, so reports are stable.
func sortByObject(results []Result) {
	sort.SliceStable(results, func(i, j int) bool { return results[i].Object < results[j].Object })
}
