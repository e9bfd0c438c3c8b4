package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"zest/storage"
)

// First-run setup: while no account is an administrator, the page offers
// to create the mail domain and the administrator. Only a browser on
// loopback, or one that gives the one-time code `zest serve` printed, may
// run it: otherwise the first stranger to find the page would own the
// server.

type setupForm struct {
	Domain, Address string
	NeedCode        bool
}

// setupAllowed says whether setup is open for r, and whether r must give
// the setup code.
func (s *Server) setupAllowed(r *http.Request) (open, needCode bool, err error) {
	has, err := s.store.HasAdmin(r.Context())
	if err != nil || has {
		return false, false, err
	}
	return true, !remoteAddr(r).IsLoopback(), nil
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) {
	open, needCode, err := s.setupAllowed(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !open {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "setup", view{Title: "Set up zest", Data: setupForm{NeedCode: needCode}})
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	open, needCode, err := s.setupAllowed(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !open {
		s.refuse(w, r, http.StatusForbidden, "This server is already set up. Sign in as its administrator.")
		return
	}
	f := setupForm{
		Domain:   strings.ToLower(strings.TrimSpace(r.PostFormValue("domain"))),
		Address:  strings.ToLower(strings.TrimSpace(r.PostFormValue("address"))),
		NeedCode: needCode,
	}
	again := func(status int, msg string) {
		s.render(w, r, status, "setup", view{Title: "Set up zest", Error: msg, Data: f})
	}
	if needCode {
		code := strings.TrimSpace(r.PostFormValue("code"))
		if s.cfg.SetupCode == "" || subtle.ConstantTimeCompare([]byte(code), []byte(s.cfg.SetupCode)) != 1 {
			s.store.LoginRefused(r.Context(), remoteAddr(r))
			again(http.StatusForbidden, "The setup code is wrong. `zest serve` printed it when it started.")
			return
		}
	}
	password := r.PostFormValue("password")
	switch {
	case storage.CheckDomain(f.Domain) != nil:
		again(http.StatusBadRequest, "The mail domain is not a valid domain name, such as example.org.")
		return
	case !strings.HasSuffix(f.Address, "@"+f.Domain):
		again(http.StatusBadRequest, "The administrator's address must be at the mail domain, such as you@"+f.Domain+".")
		return
	case len(password) < 10:
		again(http.StatusBadRequest, "The password must have at least 10 characters.")
		return
	case password != r.PostFormValue("password2"):
		again(http.StatusBadRequest, "The two passwords differ.")
		return
	}
	ctx := r.Context()
	if err := s.store.AddDomain(ctx, f.Domain); err != nil {
		again(http.StatusBadRequest, "The mail domain cannot be used: "+err.Error())
		return
	}
	acct, err := s.store.CreateAccount(ctx, f.Address, password)
	if errors.Is(err, storage.ErrExists) {
		acct, err = s.store.AccountByAddress(ctx, f.Address)
		if err == nil {
			// An existing account becomes the administrator only with
			// its own password.
			if _, err = s.store.Authenticate(ctx, f.Address, password); err != nil {
				again(http.StatusBadRequest, "That account exists already and the password is not its password.")
				return
			}
		}
	}
	if err != nil {
		again(http.StatusBadRequest, "The administrator's account cannot be created: "+err.Error())
		return
	}
	if err := s.store.SetAdmin(ctx, acct.Address, true); err != nil {
		s.fail(w, r, err)
		return
	}
	acct.Admin = true
	s.log.Info("web: first-run setup done", "domain", f.Domain, "admin", acct.Address, "remote", remoteAddr(r))
	s.signIn(w, r, acct)
}
