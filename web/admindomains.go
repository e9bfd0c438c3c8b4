package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"zest/storage"
)

// The administrator's domains page: the domains this server receives mail
// for, how many accounts and aliases each has, and a link to each one's
// DNS records.

// domainRow is one domain on the page and in the API.
type domainRow struct {
	Name     string `json:"name"`
	Accounts int    `json:"accounts"`
	Aliases  int    `json:"aliases"`
}

type domainsPage struct {
	Domains []domainRow
	New     string // kept when adding failed
}

func (s *Server) domainRows(ctx context.Context) ([]domainRow, error) {
	names, err := s.store.Domains(ctx)
	if err != nil {
		return nil, err
	}
	accounts, err := s.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	aliases, err := s.store.Aliases(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]domainRow, 0, len(names))
	for _, d := range names {
		row := domainRow{Name: d}
		for _, a := range accounts {
			if strings.HasSuffix(a.Address, "@"+d) {
				row.Accounts++
			}
		}
		for _, a := range aliases {
			if strings.HasSuffix(a.From, "@"+d) {
				row.Aliases++
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (s *Server) addDomain(ctx context.Context, domain string) (string, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if err := storage.CheckDomain(domain); err != nil {
		return "", refused("%s", storeSentence(err))
	}
	local, err := s.store.IsLocalDomain(ctx, domain)
	if err != nil {
		return "", err
	}
	if local {
		return "", refused("%s is a local domain already.", domain)
	}
	if err := s.store.AddDomain(ctx, domain); err != nil {
		return "", err
	}
	return "This server now receives mail for " + domain + ". Publish its DNS records, then create its accounts.", nil
}

func (s *Server) deleteDomain(ctx context.Context, domain string) (string, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	err := s.store.DeleteDomain(ctx, domain)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", &inputError{status: http.StatusNotFound, msg: domain + " is not a local domain."}
	case errors.Is(err, storage.ErrExists):
		return "", &inputError{status: http.StatusConflict,
			msg: domain + " still has accounts or aliases: delete them first, so no mailbox is left without its domain."}
	case err != nil:
		return "", err
	}
	return "This server no longer receives mail for " + domain + ".", nil
}

func (s *Server) domainsPage(w http.ResponseWriter, r *http.Request) {
	s.renderDomains(w, r, http.StatusOK, "", "")
}

// renderDomains shows the domains page; kept refills the form after bad
// input.
func (s *Server) renderDomains(w http.ResponseWriter, r *http.Request, status int, errMsg, kept string) {
	rows, err := s.domainRows(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin-domains", view{Title: "Domains", Error: errMsg, Data: domainsPage{Domains: rows, New: kept}})
}

func (s *Server) domainsOutcome(w http.ResponseWriter, r *http.Request, notice string, err error, kept string) {
	s.formOutcome(w, r, "/admin/domains", notice, err, func(status int, msg string) { s.renderDomains(w, r, status, msg, kept) })
}

func (s *Server) addDomainForm(w http.ResponseWriter, r *http.Request) {
	domain := r.PostFormValue("domain")
	notice, err := s.addDomain(r.Context(), domain)
	s.domainsOutcome(w, r, notice, err, domain)
}

func (s *Server) deleteDomainForm(w http.ResponseWriter, r *http.Request) {
	notice, err := s.deleteDomain(r.Context(), r.PathValue("domain"))
	s.domainsOutcome(w, r, notice, err, "")
}

func (s *Server) apiDomains(w http.ResponseWriter, r *http.Request) {
	rows, err := s.domainRows(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"domains": rows})
}

// apiAddDomain: {"domain": "example.org"}.
func (s *Server) apiAddDomain(w http.ResponseWriter, r *http.Request) {
	var in struct{ Domain string }
	if err := readJSON(r, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	notice, err := s.addDomain(r.Context(), in.Domain)
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"notice": notice})
}

func (s *Server) apiDeleteDomain(w http.ResponseWriter, r *http.Request) {
	notice, err := s.deleteDomain(r.Context(), r.PathValue("domain"))
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"notice": notice})
}
