package web

import (
	"cmp"
	"errors"
	"slices"

	"zest/sieve"
)

// CheckResult is the filter editor's live check of a script, sent to the
// page as JSON while the user types.
type CheckResult struct {
	OK       bool         `json:"ok"`       // the script compiles and may be saved
	Errors   []CheckError `json:"errors"`   // why it does not compile; never null
	Warnings []CheckError `json:"warnings"` // what compiles but will not do what it seems to; never null
}

// CheckError is one problem at a place in the script; Line and Column
// count from 1, Column in bytes as the compiler reports it.
type CheckError struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// CheckScript compiles src with opts, the options delivery will use, and
// reports every error and warning at its line. It never fails: whatever is
// wrong with src is in the result.
func CheckScript(src []byte, opts sieve.Options) CheckResult {
	res := CheckResult{Errors: []CheckError{}, Warnings: []CheckError{}}
	script, err := sieve.Compile(src, opts)
	if err != nil {
		var ce *sieve.CompileError
		if errors.As(err, &ce) {
			res.Errors = checkErrors(ce.Errors)
		}
		if len(res.Errors) == 0 {
			// Not a compile error the compiler placed: show it at the top.
			res.Errors = []CheckError{{Line: 1, Column: 1, Message: err.Error()}}
		}
		return res
	}
	res.OK = true
	res.Warnings = checkErrors(script.Warnings())
	return res
}

// checkErrors converts the compiler's errors in script order.
func checkErrors(errs []sieve.Error) []CheckError {
	out := make([]CheckError, 0, len(errs))
	for _, e := range errs {
		out = append(out, CheckError{Line: max(e.Line, 1), Column: max(e.Column, 1), Message: e.Msg})
	}
	slices.SortStableFunc(out, func(a, b CheckError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return out
}
