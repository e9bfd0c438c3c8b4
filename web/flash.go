package web

import (
	"net/http"
	"sync"
)

// A page form that succeeds answers with a redirect to its page (so a
// reload does not send the form again), and the page then shows what was
// done: the text waits here, per session, for the next page shown. It
// never comes from the URL, where a crafted link could make the page say
// anything.

type flashes struct {
	mu   sync.Mutex
	msgs map[string]string // session token -> notice
}

// maxFlashes bounds the notices of sessions that never came back for
// theirs; past it the oldest are simply forgotten.
const maxFlashes = 1000

func (f *flashes) set(token, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.msgs == nil || len(f.msgs) >= maxFlashes {
		f.msgs = map[string]string{}
	}
	f.msgs[token] = msg
}

func (f *flashes) take(token string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	msg := f.msgs[token]
	delete(f.msgs, token)
	return msg
}

// done redirects to path after a successful form, with notice shown there.
func (s *Server) done(w http.ResponseWriter, r *http.Request, path, notice string) {
	if who := sessionOf(r); who != nil && notice != "" {
		s.flash.set(who.token, notice)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
