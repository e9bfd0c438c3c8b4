package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"zest/storage"
)

// The vacation page: a form that writes the vacation reply as Sieve
// (VacationScript) into the web's vacation script, which the web's main
// script includes.

type vacationPage struct {
	Form   VacationForm
	Start  string // the form's dates as the date inputs want them
	End    string
	Active string // the active script when it is a mail client's, not the web's
}

func (s *Server) vacationPage(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	p := vacationPage{Form: VacationForm{Days: 7}}
	sc, err := s.store.GetScript(r.Context(), who.account.ID, vacationScript)
	switch {
	case err == nil:
		if f, ok := ParseVacationScript(sc.Content); ok {
			p.Form = f
		}
	case !errors.Is(err, storage.ErrNotFound):
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Vacation reply"}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "Saved."
		if p.Form.Enabled {
			v.Notice = "Saved: senders now get your reply, each at most once every " + strconv.Itoa(p.Form.Days) + " days."
		}
	}
	s.renderVacation(w, r, http.StatusOK, v, p)
}

func (s *Server) renderVacation(w http.ResponseWriter, r *http.Request, status int, v view, p vacationPage) {
	if !p.Form.Start.IsZero() {
		p.Start = p.Form.Start.Format(vacationDateLayout)
	}
	if !p.Form.End.IsZero() {
		p.End = p.Form.End.Format(vacationDateLayout)
	}
	active, err := s.store.ActiveScript(r.Context(), sessionOf(r).account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if active != nil && active.Name != mainScript {
		p.Active = active.Name
	}
	v.Title, v.Data = "Vacation reply", p
	s.render(w, r, status, "vacation", v)
}

// saveVacation writes the form's script; bad input is shown again with
// what is wrong, and nothing changes.
func (s *Server) saveVacation(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	ctx := r.Context()
	f := VacationForm{
		Enabled: r.PostFormValue("enabled") == "on",
		Subject: strings.TrimSpace(r.PostFormValue("subject")),
		Message: r.PostFormValue("message"),
	}
	var bad []string
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		bad = append(bad, "The number of days is not a number.")
	}
	f.Days = days
	if f.Start, err = formDate(r.PostFormValue("start"), "first day"); err != nil {
		bad = append(bad, err.Error())
	}
	if f.End, err = formDate(r.PostFormValue("end"), "last day"); err != nil {
		bad = append(bad, err.Error())
	}
	for _, a := range strings.FieldsFunc(r.PostFormValue("addresses"), func(r rune) bool { return r == ',' || r == '\n' || r == ' ' }) {
		f.Addresses = append(f.Addresses, strings.TrimSpace(a))
	}
	p := vacationPage{Form: f}
	var script []byte
	if len(bad) == 0 {
		script, err = VacationScript(f)
		if err != nil {
			bad = append(bad, err.Error())
		}
	}
	if len(bad) > 0 {
		s.renderVacation(w, r, http.StatusBadRequest, view{Error: strings.Join(bad, " ")}, p)
		return
	}
	if err := s.store.PutScript(ctx, who.account.ID, vacationScript, script); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.activateWebScripts(ctx, who.account.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("web: vacation reply saved", "account", who.account.Address, "enabled", f.Enabled)
	http.Redirect(w, r, "/vacation?done=saved", http.StatusSeeOther)
}

// vacationJSON is the vacation form in the API; dates are YYYY-MM-DD or
// empty.
type vacationJSON struct {
	Enabled   bool     `json:"enabled"`
	Subject   string   `json:"subject"`
	Message   string   `json:"message"`
	Days      int      `json:"days"`
	Start     string   `json:"start"`
	End       string   `json:"end"`
	Addresses []string `json:"addresses"`
}

func (s *Server) apiVacation(w http.ResponseWriter, r *http.Request) {
	f := VacationForm{Days: 7}
	sc, err := s.store.GetScript(r.Context(), sessionOf(r).account.ID, vacationScript)
	switch {
	case err == nil:
		if parsed, ok := ParseVacationScript(sc.Content); ok {
			f = parsed
		}
	case !errors.Is(err, storage.ErrNotFound):
		s.fail(w, r, err)
		return
	}
	out := vacationJSON{Enabled: f.Enabled, Subject: f.Subject, Message: f.Message, Days: f.Days, Addresses: f.Addresses}
	if !f.Start.IsZero() {
		out.Start = f.Start.Format(vacationDateLayout)
	}
	if !f.End.IsZero() {
		out.End = f.End.Format(vacationDateLayout)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiSaveVacation(w http.ResponseWriter, r *http.Request) {
	var in vacationJSON
	if err := readJSON(r, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	f := VacationForm{Enabled: in.Enabled, Subject: in.Subject, Message: in.Message, Days: in.Days, Addresses: in.Addresses}
	var err error
	f.Start, err = formDate(in.Start, "first day")
	if err == nil {
		f.End, err = formDate(in.End, "last day")
	}
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	script, err := VacationScript(f)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	a := sessionOf(r).account.ID
	if err := s.store.PutScript(r.Context(), a, vacationScript, script); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.activateWebScripts(r.Context(), a); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// formDate reads an optional YYYY-MM-DD date of the vacation form; name
// says which one in the error.
func formDate(v, name string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(vacationDateLayout, v)
	if err != nil {
		return time.Time{}, errors.New("The " + name + " is not a date (YYYY-MM-DD).")
	}
	return t, nil
}
