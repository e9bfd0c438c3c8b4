package web

import (
	"context"
	"net/http"
	"time"
)

// routes is the site's one route table. Pages and API calls that change
// something are POST (or DELETE/PUT in the API) and pass through user or
// admin, which check the session and its CSRF token.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))

	// Client autoconfiguration: no session, the clients ask anonymously.
	thunderbird := ThunderbirdAutoconfig(s.cfg.Services, s.isLocalDomain)
	m.Handle("/.well-known/autoconfig/mail/config-v1.1.xml", thunderbird)
	m.Handle("/mail/config-v1.1.xml", thunderbird)
	autodiscover := OutlookAutodiscover(s.cfg.Services, s.isLocalDomain)
	m.Handle("/autodiscover/autodiscover.xml", autodiscover)
	m.Handle("/Autodiscover/Autodiscover.xml", autodiscover)
	m.Handle("/apple/mobileconfig", AppleProfile(s.cfg.Services, s.isLocalDomain))

	site := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, s.withSession(h)) }
	site("GET /{$}", s.user(s.home))
	site("GET /login", s.loginPage)
	site("POST /login", s.login)
	site("POST /logout", s.user(s.logout))
	site("GET /setup", s.setupPage)
	site("POST /setup", s.setup)
	site("GET /api/v1/me", s.user(s.apiMe))

	// The user's own pages.
	site("GET /account", s.user(s.accountPage))
	site("POST /account/password", s.user(s.changePassword))
	site("POST /account/app-passwords", s.user(s.addAppPassword))
	site("POST /account/app-passwords/{id}/delete", s.user(s.deleteAppPassword))
	site("GET /api/v1/app-passwords", s.user(s.apiAppPasswords))
	site("POST /api/v1/app-passwords", s.user(s.addAppPassword))
	site("DELETE /api/v1/app-passwords/{id}", s.user(s.deleteAppPassword))
	site("GET /setup-client", s.user(s.clientSetupPage))
	site("GET /filter", s.user(s.filterPage))
	site("POST /filter", s.user(s.saveFilter))
	site("POST /api/v1/filter/check", s.user(s.apiCheckFilter))
	site("PUT /api/v1/filter", s.user(s.saveFilter))
	site("GET /vacation", s.user(s.vacationPage))
	site("POST /vacation", s.user(s.saveVacation))
	site("GET /api/v1/vacation", s.user(s.apiVacation))
	site("PUT /api/v1/vacation", s.user(s.apiSaveVacation))

	// A domain's DNS records and DKIM key.
	site("GET /admin/domains/{domain}/dns", s.admin(s.dnsPage))
	site("POST /admin/domains/{domain}/dkim", s.admin(s.generateDKIM))
	site("GET /api/v1/admin/domains/{domain}/dns", s.admin(s.apiDNS))
	site("POST /api/v1/admin/domains/{domain}/dkim", s.admin(s.generateDKIM))

	// --- administrator: users, aliases, domains, status, backup ---
	site("GET /admin/users", s.admin(s.usersPage))
	site("POST /admin/users", s.admin(s.createUserForm))
	site("POST /admin/users/{address}/password", s.admin(s.resetPasswordForm))
	site("POST /admin/users/{address}/disable", s.admin(s.disableForm))
	site("POST /admin/users/{address}/enable", s.admin(s.enableForm))
	site("POST /admin/users/{address}/admin", s.admin(s.adminForm))
	site("GET /admin/users/{address}/delete", s.admin(s.deleteUserPage))
	site("POST /admin/users/{address}/delete", s.admin(s.deleteUserForm))
	site("GET /api/v1/admin/users", s.admin(s.apiUsers))
	site("POST /api/v1/admin/users", s.admin(s.apiCreateUser))
	site("PATCH /api/v1/admin/users/{address}", s.admin(s.apiUpdateUser))
	site("DELETE /api/v1/admin/users/{address}", s.admin(s.apiDeleteUser))
	site("GET /admin/aliases", s.admin(s.aliasesPage))
	site("POST /admin/aliases", s.admin(s.addAliasForm))
	site("POST /admin/aliases/delete", s.admin(s.deleteAliasForm))
	site("GET /api/v1/admin/aliases", s.admin(s.apiAliases))
	site("POST /api/v1/admin/aliases", s.admin(s.apiAddAlias))
	site("DELETE /api/v1/admin/aliases/{from}", s.admin(s.apiDeleteAlias))
	site("GET /admin/domains", s.admin(s.domainsPage))
	site("POST /admin/domains", s.admin(s.addDomainForm))
	site("POST /admin/domains/{domain}/delete", s.admin(s.deleteDomainForm))
	site("GET /api/v1/admin/domains", s.admin(s.apiDomains))
	site("POST /api/v1/admin/domains", s.admin(s.apiAddDomain))
	site("DELETE /api/v1/admin/domains/{domain}", s.admin(s.apiDeleteDomain))
	site("GET /admin/status", s.admin(s.statusPage))
	site("GET /api/v1/admin/status", s.admin(s.apiStatus))
	site("GET /admin/backup", s.admin(s.backup))
	site("GET /api/v1/admin/backup", s.admin(s.backup))
	// --- end administrator ---

	site("/", s.notFound)
}

// isLocalDomain says whether this server receives mail for domain, for
// the autoconfiguration answers.
func (s *Server) isLocalDomain(domain string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok, err := s.store.IsLocalDomain(ctx, domain)
	if err != nil {
		s.log.Warn("web: looking up a domain", "domain", domain, "err", err)
	}
	return ok
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.refuse(w, r, http.StatusNotFound, "There is no such page.")
}
