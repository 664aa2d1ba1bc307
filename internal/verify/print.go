package verify

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report as a table with the columns CHECK, OBJECT, RESULT and MESSAGE,
// and DETAIL when wide is set. Unless wide is set, the passing results of a check are folded
// into one row, so a big cluster's report shows its problems rather than thousands of passes.
func WriteTable(w io.Writer, r Report, wide bool) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	header := "CHECK\tOBJECT\tRESULT\tMESSAGE"
	if wide {
		header += "\tDETAIL"
	}
	fmt.Fprintln(tw, header)
	rows := r.Results
	if !wide {
		rows = foldPasses(rows)
	}
	for _, res := range rows {
		line := strings.Join([]string{res.Check, res.Object, string(res.Status), res.Message}, "\t")
		if wide {
			line += "\t" + orNone(res.Detail)
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s: %d passed, %d %s, %d failed\n", strings.ToUpper(string(r.Status)),
		r.Summary.Pass, r.Summary.Warn, plural(r.Summary.Warn, "warning", "warnings"), r.Summary.Fail)
	return err
}

// foldPasses replaces the passing results of each check by one row where there is more than
// one, keeping the order of the first.
func foldPasses(results []Result) []Result {
	passes := map[string][]Result{}
	for _, res := range results {
		if res.Status == Pass {
			passes[res.Check] = append(passes[res.Check], res)
		}
	}
	out := make([]Result, 0, len(results))
	for _, res := range results {
		group := passes[res.Check]
		switch {
		case res.Status != Pass || len(group) == 1:
			out = append(out, res)
		case group != nil:
			out = append(out, fold(group))
			passes[res.Check] = nil
		}
	}
	return out
}

// fold sums up passing results of one check: "4 nodes" and their shared message.
func fold(group []Result) Result {
	kind, _, _ := strings.Cut(group[0].Object, "/")
	kind = strings.TrimSuffix(kind, "s")
	msg := group[0].Message
	for _, res := range group[1:] {
		if res.Message != msg {
			msg = "all passed"
			break
		}
	}
	return Result{Check: group[0].Check, Object: fmt.Sprintf("%d %ss", len(group), kind),
		Status: Pass, Message: msg}
}

// WriteProgress prints one line per failing result, for --wait.
func WriteProgress(w io.Writer, r Report) {
	failed := r.Failed()
	fmt.Fprintf(w, "Waiting for %d %s:\n", len(failed), plural(len(failed), "check", "checks"))
	const most = 10
	for i, res := range failed {
		if i == most {
			fmt.Fprintf(w, "  and %d more\n", len(failed)-most)
			break
		}
		fmt.Fprintf(w, "  %s %s: %s\n", res.Check, res.Object, res.Message)
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
