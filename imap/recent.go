package imap

import (
	"sync"

	"zest/storage"
)

// recentClaims implements \Recent (RFC 3501 §2.3.2): a message is recent in
// exactly one session, the first to be told about it. For each mailbox the
// server remembers the highest UID some session has been told about; a
// session that selects the mailbox, or learns of new messages in it,
// claims the UIDs above that mark. The marks live in memory: after a
// restart, messages saved before it are no longer recent, which RFC 9051
// (which dropped \Recent) makes harmless for clients that still look. The
// marks start from the messages' save dates where the session has them
// (SELECT) and from the event stream otherwise (STATUS).
type recentClaims struct {
	mu   sync.Mutex
	last map[storage.MailboxID]storage.UID
}

func newRecentClaims() *recentClaims {
	return &recentClaims{last: map[storage.MailboxID]storage.UID{}}
}

// arrived notes a new message before any session saw it, so the first
// session to look finds it recent.
func (r *recentClaims) arrived(mb storage.MailboxID, uid storage.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.last[mb]; !ok && uid > 0 {
		r.last[mb] = uid - 1
	}
}

// claim takes every UID up to upto that no session has claimed yet and
// returns the first of them (upto+1 when there is none). For a mailbox with
// no mark yet, unseen starts at firstNew: the first message saved since the
// server started.
func (r *recentClaims) claim(mb storage.MailboxID, upto, firstNew storage.UID) storage.UID {
	r.mu.Lock()
	defer r.mu.Unlock()
	last, ok := r.last[mb]
	if !ok {
		last = firstNew - 1
	}
	if upto <= last {
		return upto + 1
	}
	r.last[mb] = upto
	return last + 1
}

// peek returns the first UID not yet claimed, without claiming (EXAMINE
// shows \Recent but does not take it); firstNew as for claim.
func (r *recentClaims) peek(mb storage.MailboxID, firstNew storage.UID) storage.UID {
	r.mu.Lock()
	defer r.mu.Unlock()
	last, ok := r.last[mb]
	if !ok {
		return firstNew
	}
	return last + 1
}

// marked reports whether the mailbox has a mark, so that claim and peek
// no longer use their firstNew argument.
func (r *recentClaims) marked(mb storage.MailboxID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.last[mb]
	return ok
}

func (r *recentClaims) forget(mb storage.MailboxID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.last, mb)
}

// watchArrivals feeds arrivals and deletions from the store's events into
// the claims until stop is closed. The caller subscribes before starting it,
// so no delivery made after NewServer returns is missed.
func (s *Server) watchArrivals(sub *storage.Subscription, stop <-chan struct{}) {
	defer sub.Close()
	for {
		select {
		case <-stop:
			return
		case ev := <-sub.C:
			switch ev.Kind {
			case storage.MessageNew, storage.MessageAppend:
				if len(ev.UIDs) > 0 {
					s.recent.arrived(ev.Mailbox, ev.UIDs[0])
				}
			case storage.MailboxDelete:
				s.recent.forget(ev.Mailbox)
			}
		}
	}
}
