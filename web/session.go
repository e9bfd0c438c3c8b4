package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"zest/storage"
)

// signedIn is the session a request carries.
type signedIn struct {
	token   string
	session *storage.WebSession
	account *storage.Account
}

type sessionKey struct{}

func sessionOf(r *http.Request) *signedIn {
	who, _ := r.Context().Value(sessionKey{}).(*signedIn)
	return who
}

// cookieName is the session cookie's name; under HTTPS the __Host- prefix
// makes browsers refuse it unless Secure, host-only and for the whole site.
func (s *Server) cookieName() string {
	if s.cfg.TLS != nil {
		return "__Host-zest"
	}
	return "zest"
}

// withSession finds the request's session, if any, and puts it in the
// request's context.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName())
		if err == nil {
			ws, acct, err := s.store.WebSession(r.Context(), c.Value)
			switch {
			case err == nil:
				r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, &signedIn{token: c.Value, session: ws, account: acct}))
			case errors.Is(err, storage.ErrNoSession):
				s.clearCookie(w)
			default:
				s.fail(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) setCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.cfg.TLS != nil, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// isAPI says whether the request is for the JSON API, which answers in
// JSON where a page would redirect.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// user wraps a handler for signed-in users: others are sent to sign in
// (pages) or get 401 (API). A state-changing request must carry the
// session's CSRF token.
func (s *Server) user(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who := sessionOf(r)
		if who == nil {
			if isAPI(r) {
				writeJSONError(w, http.StatusUnauthorized, "sign in first")
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if !safeMethod(r.Method) && !s.csrfOK(r, who) {
			s.refuse(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.")
			return
		}
		h(w, r)
	}
}

// admin wraps a handler for administrators: other signed-in users get 403.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return s.user(func(w http.ResponseWriter, r *http.Request) {
		if !sessionOf(r).account.Admin {
			s.refuse(w, r, http.StatusForbidden, "Only an administrator may do this.")
			return
		}
		h(w, r)
	})
}

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// csrfOK checks the CSRF token of a state-changing request: the
// X-CSRF-Token header (API) or the csrf form field (pages).
func (s *Server) csrfOK(r *http.Request, who *signedIn) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && !isAPI(r) {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(who.session.CSRF)) == 1
}

// refuse answers a request that may not proceed, in JSON or as a page.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r) {
		writeJSONError(w, status, msg)
		return
	}
	s.render(w, r, status, "error", view{Title: http.StatusText(status), Error: msg})
}

// fail answers an unexpected error: logged in full, shown without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web: request failed", "path", r.URL.Path, "err", err)
	s.refuse(w, r, http.StatusInternalServerError, "Something went wrong on the server; the details are in its log.")
}

// remoteAddr is the client's address, for the login limiter and the
// loopback check of first-run setup.
func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON decodes a request body of at most 1 MiB into v, refusing
// unknown fields so a typo is an error, not a silent no-op.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New("the request is not valid JSON for this call: " + err.Error())
	}
	return nil
}
