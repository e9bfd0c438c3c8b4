package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"zest/storage"
)

// The user's own account: the password, and app passwords — one per mail
// client, so the account password never sits in a phone and a lost phone
// costs only its own password.

type accountPage struct {
	AppPasswords []storage.AppPassword
	NewSecret    string // shown once, right after it was made
	NewLabel     string
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	v := view{Title: "Password"}
	switch r.URL.Query().Get("done") {
	case "password":
		v.Notice = "Your password was changed. Mail clients using the old one must be given the new one."
	case "deleted":
		v.Notice = "The app password was deleted; the client using it can no longer sign in."
	}
	s.renderAccount(w, r, http.StatusOK, v, accountPage{})
}

// renderAccount shows the account page with the user's app passwords.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, v view, p accountPage) {
	list, err := s.store.AppPasswords(r.Context(), sessionOf(r).account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.AppPasswords = list
	v.Title, v.Data = "Password", p
	s.render(w, r, status, "account", v)
}

// addAppPassword makes an app password and shows its secret once; the
// store keeps only its hash.
func (s *Server) addAppPassword(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	label := strings.TrimSpace(r.PostFormValue("label"))
	if isAPI(r) {
		var req struct {
			Label string `json:"label"`
		}
		if err := readJSON(r, &req); err != nil {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		label = strings.TrimSpace(req.Label)
	}
	ap, secret, err := s.store.AddAppPassword(r.Context(), who.account.ID, label)
	if err != nil {
		msg := "The app password cannot be made: " + err.Error()
		if errors.Is(err, storage.ErrTooManyAppPasswords) {
			msg = "You have the most app passwords an account may have; delete one you no longer use first."
		}
		if isAPI(r) {
			writeJSONError(w, http.StatusBadRequest, msg)
			return
		}
		s.renderAccount(w, r, http.StatusBadRequest, view{Error: msg}, accountPage{})
		return
	}
	s.log.Info("web: app password made", "account", who.account.Address, "label", ap.Label)
	if isAPI(r) {
		writeJSON(w, http.StatusCreated, map[string]any{"id": ap.ID, "label": ap.Label, "password": secret})
		return
	}
	s.renderAccount(w, r, http.StatusOK, view{Notice: "Your new app password is below. Type it into " + ap.Label +
		" now: it is shown only this once."}, accountPage{NewSecret: secret, NewLabel: ap.Label})
}

func (s *Server) deleteAppPassword(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		s.refuse(w, r, http.StatusNotFound, "There is no such app password.")
		return
	}
	if err := s.store.DeleteAppPassword(r.Context(), who.account.ID, storage.AppPasswordID(id)); errors.Is(err, storage.ErrNotFound) {
		s.refuse(w, r, http.StatusNotFound, "There is no such app password.")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	if isAPI(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/account?done=deleted", http.StatusSeeOther)
}

func (s *Server) apiAppPasswords(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.AppPasswords(r.Context(), sessionOf(r).account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// changePassword needs the current password, so a browser left signed in
// cannot be used to take the account over. Changing it ends every other
// session and login cache; this browser gets a new session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	current, next := r.PostFormValue("current"), r.PostFormValue("password")
	again := func(status int, msg string) {
		s.renderAccount(w, r, status, view{Error: msg}, accountPage{})
	}
	switch {
	case len(next) < 10:
		again(http.StatusBadRequest, "The new password must have at least 10 characters.")
		return
	case next != r.PostFormValue("password2"):
		again(http.StatusBadRequest, "The two new passwords differ.")
		return
	}
	if _, err := s.verifyPassword(r, who.account.Address, current, "The current password is wrong."); err != nil {
		if status, msg, ok := asInput(err); ok {
			again(status, msg)
		} else {
			s.fail(w, r, err)
		}
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
