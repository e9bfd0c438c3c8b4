package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"zest/storage"
)

// The administrator's aliases page: addresses that forward to accounts on
// this server, and "@domain" catch-alls that receive mail for every
// address of the domain nobody else has.

// aliasRow is one alias on the page and in the API.
type aliasRow struct {
	From     string   `json:"from"`
	To       []string `json:"to"`
	CatchAll bool     `json:"catchAll"`
}

type aliasesPage struct {
	Aliases  []aliasRow
	From, To string // kept when adding failed
}

func (s *Server) aliasRows(ctx context.Context) ([]aliasRow, error) {
	aliases, err := s.store.Aliases(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]aliasRow, 0, len(aliases))
	for _, a := range aliases {
		rows = append(rows, aliasRow{From: a.From, To: a.To, CatchAll: strings.HasPrefix(a.From, "@")})
	}
	return rows, nil
}

// addAlias adds targets to from (creating it); from's domain becomes
// local, the targets must be local already.
func (s *Server) addAlias(ctx context.Context, from string, to []string) (string, error) {
	from = strings.ToLower(strings.TrimSpace(from))
	if from == "" {
		return "", refused("Give the address the alias receives mail for, or @domain for a catch-all.")
	}
	if len(to) == 0 {
		return "", refused("Give at least one address the alias delivers to.")
	}
	err := s.store.AddAlias(ctx, from, to...)
	switch {
	case errors.Is(err, storage.ErrInvalidName), errors.Is(err, storage.ErrNotLocal):
		return "", refused("%s", storeSentence(err))
	case err != nil:
		return "", err
	}
	if strings.HasPrefix(from, "@") {
		return "Mail to any address at " + from[1:] + " that has no account or alias now goes to " + strings.Join(to, ", ") + ".", nil
	}
	return "Mail to " + from + " now goes to " + strings.Join(to, ", ") + ".", nil
}

// deleteAlias removes from, or only some of its targets.
func (s *Server) deleteAlias(ctx context.Context, from string, targets []string) (string, error) {
	from = strings.ToLower(strings.TrimSpace(from))
	err := s.store.DeleteAlias(ctx, from, targets...)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", &inputError{status: http.StatusNotFound, msg: "There is no alias " + from + "."}
	case err != nil:
		return "", err
	}
	if len(targets) > 0 {
		return "Mail to " + from + " no longer goes to " + strings.Join(targets, ", ") + ".", nil
	}
	return "Deleted the alias " + from + ".", nil
}

func (s *Server) aliasesPage(w http.ResponseWriter, r *http.Request) {
	s.renderAliases(w, r, http.StatusOK, "", aliasesPage{})
}

// renderAliases shows the aliases page; kept refills the form after bad
// input.
func (s *Server) renderAliases(w http.ResponseWriter, r *http.Request, status int, errMsg string, kept aliasesPage) {
	rows, err := s.aliasRows(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kept.Aliases = rows
	s.render(w, r, status, "admin-aliases", view{Title: "Aliases", Error: errMsg, Data: kept})
}

func (s *Server) aliasesOutcome(w http.ResponseWriter, r *http.Request, notice string, err error, kept aliasesPage) {
	s.formOutcome(w, r, "/admin/aliases", notice, err, func(status int, msg string) { s.renderAliases(w, r, status, msg, kept) })
}

func (s *Server) addAliasForm(w http.ResponseWriter, r *http.Request) {
	from, to := r.PostFormValue("from"), r.PostFormValue("to")
	notice, err := s.addAlias(r.Context(), from, formList(to))
	s.aliasesOutcome(w, r, notice, err, aliasesPage{From: from, To: to})
}

func (s *Server) deleteAliasForm(w http.ResponseWriter, r *http.Request) {
	notice, err := s.deleteAlias(r.Context(), r.PostFormValue("from"), nil)
	s.aliasesOutcome(w, r, notice, err, aliasesPage{})
}

func (s *Server) apiAliases(w http.ResponseWriter, r *http.Request) {
	rows, err := s.aliasRows(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"aliases": rows})
}

// apiAddAlias: {"from": "sales@example.org", "to": ["alice@example.org"]}.
func (s *Server) apiAddAlias(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From string
		To   []string
	}
	if err := readJSON(r, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	notice, err := s.addAlias(r.Context(), in.From, in.To)
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"notice": notice})
}

// apiDeleteAlias removes an alias, or with ?to=a,b only those targets.
func (s *Server) apiDeleteAlias(w http.ResponseWriter, r *http.Request) {
	notice, err := s.deleteAlias(r.Context(), r.PathValue("from"), formList(r.URL.Query().Get("to")))
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"notice": notice})
}
