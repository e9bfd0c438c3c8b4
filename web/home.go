package web

import "net/http"

// home is the first page after sign-in: what the user can do, and for an
// administrator the state of the server.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", view{Title: "zest"})
}

// apiMe tells a script who is signed in, and its CSRF token.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	writeJSON(w, http.StatusOK, map[string]any{"address": who.account.Address, "admin": who.account.Admin, "csrf": who.session.CSRF})
}
