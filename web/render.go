package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"zest/storage"
)

//go:embed templates static
var assets embed.FS

// pages holds one template set per page: the layout with that page's
// "content".
type pages struct{ byName map[string]*template.Template }

// parsePages parses every page with the layout once, at start.
func parsePages() (*pages, error) {
	files, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(assets, "templates/layout.html", f)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

var templateFuncs = template.FuncMap{
	"bytes": HumanBytes,
}

// view is what every page template gets.
type view struct {
	Title   string
	Account *storage.Account // nil when signed out
	CSRF    string
	Notice  string // what the last action did
	Error   string // what went wrong, in words for the user
	Host    string
	Data    any
}

// render writes page name with status. A template error is logged and
// answered with a plain 500: the page was checked at start, so it is a bug.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("web: no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if who := sessionOf(r); who != nil {
		v.Account, v.CSRF = who.account, who.session.CSRF
		if r.Method == http.MethodGet && v.Notice == "" {
			v.Notice = s.flash.take(who.token)
		}
	}
	v.Host = s.cfg.Hostname
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("web: rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// HumanBytes writes a size for people: 0 B, 12 KiB, 3.4 MiB.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v >= 10 {
		return fmt.Sprintf("%.0f %ciB", v, "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// static serves the embedded stylesheet and script. Their names carry no
// version, so browsers revalidate them (they are small).
func staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
