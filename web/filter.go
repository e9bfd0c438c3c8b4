package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"zest/sieve"
	"zest/storage"
)

// The Sieve filter editor and the vacation form share one arrangement of
// the user's scripts, made of standard Sieve (RFC 6609 include), so a
// ManageSieve client sees and may edit the same thing:
//
//	web-main      the active script: include the vacation reply, then the filter
//	web-filter    what the filter editor edits
//	web-vacation  what the vacation form writes
//
// A user whose active script is another one (uploaded from a mail client)
// edits that script directly; the vacation form then says how to include
// its script.
const (
	mainScript     = "web-main"
	filterScript   = "web-filter"
	vacationScript = "web-vacation"
)

var mainScriptText = []byte(`# Made by zest's web page: the vacation reply, then the filter.
require "include";
include :optional "` + vacationScript + `";
include :optional "` + filterScript + `";
`)

const starterFilter = `# Your mail filter, in Sieve (RFC 5228). For example:
#
# require "fileinto";
# if header :contains "list-id" "announce.example.org" {
#     fileinto "Lists";
# }
`

type filterPage struct {
	Name     string // the script being edited
	Script   string
	Check    CheckResult
	Checked  bool
	LastFail *storage.SieveError
}

// filterTarget is the script the editor edits: the web's filter when the
// web's main script (or nothing) is active, else the active script.
func (s *Server) filterTarget(ctx context.Context, a storage.AccountID) (name string, content []byte, err error) {
	active, err := s.store.ActiveScript(ctx, a)
	if err != nil {
		return "", nil, err
	}
	if active != nil && active.Name != mainScript {
		return active.Name, active.Content, nil
	}
	sc, err := s.store.GetScript(ctx, a, filterScript)
	if errors.Is(err, storage.ErrNotFound) {
		return filterScript, []byte(starterFilter), nil
	}
	if err != nil {
		return "", nil, err
	}
	return filterScript, sc.Content, nil
}

// checkOptions compile a user's script as delivery will: its includes
// resolve to the user's and the global scripts.
func (s *Server) checkOptions(ctx context.Context, a storage.AccountID) sieve.Options {
	return sieve.Options{Includes: sieve.StoreSource(ctx, s.store, a)}
}

func (s *Server) filterPage(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	name, content, err := s.filterTarget(r.Context(), who.account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := filterPage{Name: name, Script: string(content)}
	if p.LastFail, err = s.store.LastSieveError(r.Context(), who.account.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Mail filter", Data: &p}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "The filter was saved; it applies to the next message that arrives."
	}
	s.render(w, r, http.StatusOK, "filter", v)
}

// saveFilter stores the script if it compiles exactly as delivery will
// compile it; otherwise nothing changes and the errors are shown at their
// lines.
func (s *Server) saveFilter(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	ctx := r.Context()
	src := r.PostFormValue("script")
	if isAPI(r) {
		var req struct {
			Script string `json:"script"`
		}
		if err := readJSON(r, &req); err != nil {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		src = req.Script
	}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	name, _, err := s.filterTarget(ctx, who.account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res := CheckScript([]byte(src), s.checkOptions(ctx, who.account.ID))
	if !res.OK {
		if isAPI(r) {
			writeJSON(w, http.StatusUnprocessableEntity, res)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "filter", view{Title: "Mail filter",
			Error: "The filter has errors and was not saved.", Data: &filterPage{Name: name, Script: src, Check: res, Checked: true}})
		return
	}
	if err := s.store.PutScript(ctx, who.account.ID, name, []byte(src)); err != nil {
		if isAPI(r) {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.render(w, r, http.StatusBadRequest, "filter", view{Title: "Mail filter",
			Error: "The filter was not saved: " + err.Error(), Data: &filterPage{Name: name, Script: src}})
		return
	}
	if name == filterScript {
		if err := s.activateWebScripts(ctx, who.account.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.log.Info("web: filter saved", "account", who.account.Address, "script", name)
	if isAPI(r) {
		writeJSON(w, http.StatusOK, res)
		return
	}
	http.Redirect(w, r, "/filter?done=saved", http.StatusSeeOther)
}

// activateWebScripts makes the web's main script active, unless another
// script (a mail client's) is.
func (s *Server) activateWebScripts(ctx context.Context, a storage.AccountID) error {
	active, err := s.store.ActiveScript(ctx, a)
	if err != nil || (active != nil && active.Name != mainScript) {
		return err
	}
	if err := s.store.PutScript(ctx, a, mainScript, mainScriptText); err != nil {
		return err
	}
	return s.store.SetActive(ctx, a, mainScript)
}

// apiCheckFilter is the editor's live check.
func (s *Server) apiCheckFilter(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Script string `json:"script"`
	}
	if err := readJSON(r, &req); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	a := sessionOf(r).account.ID
	writeJSON(w, http.StatusOK, CheckScript([]byte(req.Script), s.checkOptions(r.Context(), a)))
}
