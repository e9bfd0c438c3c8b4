package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"zest/storage"
)

// Sign-in and sign-out. A sign-in goes through the store's login limiter,
// which IMAP, SMTP and ManageSieve share: a browser gets no more guesses
// than a mail client.

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if sessionOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if ok, err := s.store.HasAdmin(r.Context()); err == nil && !ok {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", view{Title: "Sign in"})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	address := strings.TrimSpace(r.PostFormValue("address"))
	password := r.PostFormValue("password")
	if s.cfg.TLS == nil && !remoteAddr(r).IsLoopback() {
		// A password crosses the network only inside TLS.
		s.render(w, r, http.StatusForbidden, "login", view{Title: "Sign in",
			Error: "Sign in over HTTPS: this page is served without TLS, so it accepts passwords only from the server itself."})
		return
	}
	acct, err := s.verifyPassword(r, address, password, "The address or the password is wrong.")
	if status, msg, ok := asInput(err); ok {
		s.render(w, r, status, "login", view{Title: "Sign in", Error: msg, Data: map[string]string{"Address": address}})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.signIn(w, r, acct)
}

// verifyPassword checks the account password of address (never an app
// password) under the login limiter all protocols share. A refusal is an
// *inputError: 429 while the address must wait, else 401 with wrong.
func (s *Server) verifyPassword(r *http.Request, address, password, wrong string) (*storage.Account, error) {
	acct, err := s.store.AuthenticatePrimary(r.Context(), remoteAddr(r), address, password)
	var blocked *storage.LoginBlockedError
	switch {
	case errors.As(err, &blocked):
		return nil, &inputError{status: http.StatusTooManyRequests,
			msg: "Too many wrong passwords from your address. Wait " + blocked.Wait.Round(time.Second).String() + " and try again."}
	case errors.Is(err, storage.ErrBadCredentials), errors.Is(err, storage.ErrAccountDisabled):
		return nil, &inputError{status: http.StatusUnauthorized, msg: wrong}
	}
	return acct, err
}

// signIn starts a session for acct and sends the browser home.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, acct *storage.Account) {
	token, ws, err := s.store.CreateWebSession(r.Context(), acct.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, token, ws.Expires)
	s.log.Info("web: signed in", "account", acct.Address, "remote", remoteAddr(r))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.store.EndWebSession(r.Context(), sessionOf(r).token); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
