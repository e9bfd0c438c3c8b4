package web

import (
	"errors"
	"net/http"

	"zest/storage"
)

// The user's own account: the password (app passwords join this page).

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	v := view{Title: "Password"}
	if r.URL.Query().Get("done") == "password" {
		v.Notice = "Your password was changed. Mail clients using the old one must be given the new one."
	}
	s.render(w, r, http.StatusOK, "account", v)
}

// changePassword needs the current password, so a browser left signed in
// cannot be used to take the account over. Changing it ends every other
// session and login cache; this browser gets a new session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	current, next := r.PostFormValue("current"), r.PostFormValue("password")
	again := func(status int, msg string) {
		s.render(w, r, status, "account", view{Title: "Password", Error: msg})
	}
	switch {
	case len(next) < 10:
		again(http.StatusBadRequest, "The new password must have at least 10 characters.")
		return
	case next != r.PostFormValue("password2"):
		again(http.StatusBadRequest, "The two new passwords differ.")
		return
	}
	_, err := s.store.Login(r.Context(), remoteAddr(r), who.account.Address, current)
	var blocked *storage.LoginBlockedError
	switch {
	case errors.As(err, &blocked):
		again(http.StatusTooManyRequests, "Too many wrong passwords from your address. Wait "+blocked.Wait.Round(1e9).String()+" and try again.")
		return
	case errors.Is(err, storage.ErrBadCredentials):
		again(http.StatusUnauthorized, "The current password is wrong.")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if err := s.store.SetPassword(r.Context(), who.account.Address, next); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("web: password changed", "account", who.account.Address)
	token, ws, err := s.store.CreateWebSession(r.Context(), who.account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, token, ws.Expires)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}
