package verify

// Evaluate runs every check on the state and returns the report. It reads nothing from the
// cluster; the connectivity check, which creates pods, is run separately.
func Evaluate(s *State, e Expectations, o Options) Report {
	var results []Result
	results = append(results, checkExpected(s, e)...)
	results = append(results, checkNodes(s, o)...)
	results = append(results, checkFlavour(s)...)
	results = append(results, checkControlPlane(s, e)...)
	results = append(results, checkWorkloads(s, o)...)
	results = append(results, checkAksEdge(s, e)...)
	return NewReport(results)
}
