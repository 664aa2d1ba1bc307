package verify

import "fmt"

// checkAksEdge checks the bookkeeping AKS EE keeps in the cluster: namespace aksedge with
// ConfigMap aksedge, whose clustername must match a scale config's Join.ClusterId.
func checkAksEdge(s *State, e Expectations) []Result {
	obj := "configmap/" + AksEdgeNamespace + "/" + AksEdgeConfigMap
	const fix = "AKS EE writes it when the primary machine is deployed; check that deployment " +
		"finished (Get-AksEdgeDeploymentInfo on the primary) or restore it from a backup"
	switch {
	case !s.AksEdgeNamespace:
		return []Result{fail(CheckAksEdge, obj, "namespace "+AksEdgeNamespace+" is missing; "+fix)}
	case s.AksEdgeConfigMap == nil:
		return []Result{fail(CheckAksEdge, obj, "missing; "+fix)}
	}
	id, ok := s.AksEdgeConfigMap.Data[ClusterNameKey]
	if !ok || id == "" {
		return []Result{fail(CheckAksEdge, obj, "has no "+ClusterNameKey+" key; "+fix)}
	}
	out := []Result{pass(CheckAksEdge, obj, "present, "+ClusterNameKey+" "+id)}
	if e.ClusterID == "" {
		return out
	}
	if id != e.ClusterID {
		return append(out, fail(CheckClusterID, obj, fmt.Sprintf("%s is %q but the config file's "+
			"Join.ClusterId is %q; the file was made for another cluster: generate a new one with "+
			"kubectl aksee scale-config", ClusterNameKey, id, e.ClusterID)))
	}
	return append(out, pass(CheckClusterID, obj, "matches Join.ClusterId "+id))
}
