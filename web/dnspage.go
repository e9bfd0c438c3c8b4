package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"zest/storage"
)

// The DNS page of a domain: the exact records to publish (MX, SPF, DMARC,
// DKIM, the client-configuration SRV records), the zone-file form of them,
// the DKIM key pair (generated here and kept in the store), and a check
// that looks the records up and says which are missing or wrong.

type dnsPage struct {
	Domain  string
	Records []DNSRecord
	Zone    string
	Checks  []RecordCheck
	HasDKIM bool
	Checked bool
}

// domainArg returns the {domain} of the path if the server receives mail
// for it.
func (s *Server) domainArg(w http.ResponseWriter, r *http.Request) (string, bool) {
	domain := strings.ToLower(r.PathValue("domain"))
	ok, err := s.store.IsLocalDomain(r.Context(), domain)
	if err != nil {
		s.fail(w, r, err)
		return "", false
	}
	if !ok {
		s.refuse(w, r, http.StatusNotFound, "This server does not receive mail for "+domain+".")
		return "", false
	}
	return domain, true
}

// dnsRecords is what the domain should publish now.
func (s *Server) dnsRecords(ctx context.Context, domain string) ([]DNSRecord, bool, error) {
	key, err := s.store.DKIMKey(ctx, domain)
	if errors.Is(err, storage.ErrNotFound) {
		key, err = nil, nil
	}
	if err != nil {
		return nil, false, err
	}
	return RecordsFor(domain, s.cfg.Services, key, s.cfg.Addresses), key != nil, nil
}

func (s *Server) dnsPage(w http.ResponseWriter, r *http.Request) {
	domain, ok := s.domainArg(w, r)
	if !ok {
		return
	}
	records, hasKey, err := s.dnsRecords(r.Context(), domain)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := dnsPage{Domain: domain, Records: records, Zone: ZoneFile(records), HasDKIM: hasKey}
	v := view{Title: "DNS for " + domain, Data: &p}
	if r.URL.Query().Get("check") != "" {
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		p.Checks, p.Checked = CheckRecords(ctx, s.resolver(), records), true
	}
	if r.URL.Query().Get("done") == "dkim" {
		v.Notice = "A new DKIM key was made. Publish its record below; until then receivers cannot check signatures made with it."
	}
	s.render(w, r, http.StatusOK, "dns", v)
}

// apiDNS answers the same as the page, in JSON; ?check=1 adds the check.
func (s *Server) apiDNS(w http.ResponseWriter, r *http.Request) {
	domain, ok := s.domainArg(w, r)
	if !ok {
		return
	}
	records, _, err := s.dnsRecords(r.Context(), domain)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"domain": domain, "records": records}
	if r.URL.Query().Get("check") != "" {
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		out["checks"] = CheckRecords(ctx, s.resolver(), records)
	}
	writeJSON(w, http.StatusOK, out)
}

// generateDKIM makes the domain's DKIM key pair. Replacing an existing key
// needs confirm=replace: mail signed with the old key fails to verify once
// its record is replaced.
func (s *Server) generateDKIM(w http.ResponseWriter, r *http.Request) {
	domain, ok := s.domainArg(w, r)
	if !ok {
		return
	}
	_, err := s.store.DKIMKey(r.Context(), domain)
	switch {
	case err == nil && r.PostFormValue("confirm") != "replace":
		s.refuse(w, r, http.StatusConflict, domain+" has a DKIM key already; replacing it needs the confirmation on its page.")
		return
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		s.fail(w, r, err)
		return
	}
	key, err := GenerateDKIMKey(domain, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.SetDKIMKey(r.Context(), domain, key); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("web: DKIM key generated", "domain", domain, "selector", key.Selector, "by", sessionOf(r).account.Address)
	if isAPI(r) {
		name, value, _ := DKIMRecord(key)
		writeJSON(w, http.StatusOK, map[string]string{"name": name, "value": value})
		return
	}
	http.Redirect(w, r, "/admin/domains/"+domain+"/dns?done=dkim", http.StatusSeeOther)
}

// resolver is the DNS resolver of the check: Config.Resolver, else the
// system's.
func (s *Server) resolver() Resolver {
	if s.cfg.Resolver != nil {
		return s.cfg.Resolver
	}
	return defaultResolver
}
