package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The administrator's pages share one shape: an operation on the store,
// called by a page handler and by the matching JSON API handler, returns
// an *inputError when the administrator's input is the problem, and any
// other error when the server is.

// inputError is a refusal caused by the request, in words for the
// administrator: the page shows it, the API returns it with its status.
type inputError struct {
	status int
	msg    string
}

func (e *inputError) Error() string { return e.msg }

// refused returns a 400 inputError.
func refused(format string, args ...any) error {
	return &inputError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// asInput reports the status and message of an inputError.
func asInput(err error) (int, string, bool) {
	var ie *inputError
	if errors.As(err, &ie) {
		return ie.status, ie.msg, true
	}
	return 0, "", false
}

// formOutcome answers an administrator's page form: success goes back to
// page with the notice (Post/Redirect/Get), bad input shows the form again
// with what is wrong, anything else is a server failure.
func (s *Server) formOutcome(w http.ResponseWriter, r *http.Request, page, notice string, err error, again func(status int, msg string)) {
	if err == nil {
		s.done(w, r, page, notice)
		return
	}
	if status, msg, ok := asInput(err); ok {
		again(status, msg)
		return
	}
	s.fail(w, r, err)
}

// apiAnswer answers an API call that failed.
func (s *Server) apiAnswer(w http.ResponseWriter, r *http.Request, err error) {
	if status, msg, ok := asInput(err); ok {
		writeJSONError(w, status, msg)
		return
	}
	s.fail(w, r, err)
}

// storeSentence turns the store's error about an input into a sentence
// without the package's prefixes: `"x" is not a domain name.`
func storeSentence(err error) string {
	msg := err.Error()
	for _, p := range []string{"storage: invalid name: ", "storage: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	if msg == "" {
		return msg
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// formList splits a comma-, space- or newline-separated field.
func formList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == ';' })
}
