package web

import (
	"io"
	"net/http"
	"time"
)

// backup streams a consistent copy of the whole store as a download. The
// file is written as it is read from the store, never held in memory;
// `zest restore FILE` loads it into an empty data directory.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	name := "zest-backup-" + time.Now().UTC().Format("20060102-150405") + ".badger"
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return // a HEAD would stream the whole store for nothing
	}
	// A large store over a slow link takes longer than the server's
	// write timeout, which is for pages.
	http.NewResponseController(w).SetWriteDeadline(time.Time{})
	s.log.Info("web: backup started", "by", sessionOf(r).account.Address)
	cw := &countingWriter{w: w}
	if err := s.store.Backup(r.Context(), cw); err != nil {
		if cw.n == 0 {
			h.Del("Content-Disposition")
			s.fail(w, r, err)
			return
		}
		// The status is sent; a cut-short download is all the browser
		// can be told. The log says why.
		s.log.Error("web: backup failed", "err", err, "written", cw.n)
		return
	}
	s.log.Info("web: backup done", "by", sessionOf(r).account.Address)
}

// countingWriter tells whether the response has begun.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
