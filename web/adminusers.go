package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"zest/storage"
)

// The administrator's users page: every account with its state and the
// mail it holds; create, reset a password, disable, make administrator,
// delete (after a confirmation that names what goes).

// minPassword is the shortest password the web page sets.
const minPassword = 10

// userRow is one account on the users page and in the API.
type userRow struct {
	Address  string    `json:"address"`
	Disabled bool      `json:"disabled"`
	Admin    bool      `json:"admin"`
	Messages uint32    `json:"messages"`
	Size     int64     `json:"size"`
	Created  time.Time `json:"created"`
}

// usersPage is the users page's data.
type usersPage struct {
	Users      []userRow
	Self       string
	NewAddress string // kept when creating failed
}

// userRows lists the accounts with their message counts and sizes, summed
// over their mailboxes as `zest user list` does.
func (s *Server) userRows(ctx context.Context) ([]userRow, error) {
	accounts, err := s.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]userRow, 0, len(accounts))
	for _, a := range accounts {
		row := userRow{Address: a.Address, Disabled: a.Disabled, Admin: a.Admin, Created: a.Created}
		boxes, err := s.store.Mailboxes(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, mb := range boxes {
			row.Messages += mb.Messages
			row.Size += mb.Size
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// findUser returns the row of address, or a 404 inputError.
func (s *Server) findUser(ctx context.Context, address string) (userRow, error) {
	rows, err := s.userRows(ctx)
	if err != nil {
		return userRow{}, err
	}
	address = strings.ToLower(strings.TrimSpace(address))
	for _, row := range rows {
		if row.Address == address {
			return row, nil
		}
	}
	return userRow{}, &inputError{status: http.StatusNotFound, msg: "There is no account " + address + "."}
}

// createUser creates an account; the address's domain becomes local if it
// was not (the page says so). It returns a notice for the administrator.
func (s *Server) createUser(ctx context.Context, address, password string) (string, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	full, _, domain, err := storage.NormalizeAddress(address)
	if err != nil {
		return "", refused("%s", storeSentence(err))
	}
	if err := checkPassword(password); err != nil {
		return "", err
	}
	local, err := s.store.IsLocalDomain(ctx, domain)
	if err != nil {
		return "", err
	}
	_, err = s.store.CreateAccount(ctx, full, password)
	switch {
	case errors.Is(err, storage.ErrExists):
		return "", refused("An account %s exists already.", full)
	case errors.Is(err, storage.ErrInvalidName):
		return "", refused("%s", storeSentence(err))
	case err != nil:
		return "", err
	}
	notice := "Created " + full + "."
	if !local {
		notice += " The domain " + domain + " is new: it was added to the domains; publish its DNS records."
	}
	return notice, nil
}

func checkPassword(password string) error {
	if len([]rune(password)) < minPassword {
		return refused("The password must have at least %d characters.", minPassword)
	}
	return nil
}

// resetPassword sets a new password for address.
func (s *Server) resetPassword(ctx context.Context, address, password string) (string, error) {
	row, err := s.findUser(ctx, address)
	if err != nil {
		return "", err
	}
	if err := checkPassword(password); err != nil {
		return "", err
	}
	if err := s.store.SetPassword(ctx, row.Address, password); err != nil {
		return "", err
	}
	return "The password of " + row.Address + " is changed.", nil
}

// activeAdmins counts the administrators that can sign in, leaving out
// except.
func activeAdmins(rows []userRow, except string) int {
	n := 0
	for _, row := range rows {
		if row.Admin && !row.Disabled && row.Address != except {
			n++
		}
	}
	return n
}

// keepsAnAdmin refuses a change that would take address's administrator
// rights away (disable, delete, unmake) when it is the last one.
func (s *Server) keepsAnAdmin(ctx context.Context, address string) error {
	rows, err := s.userRows(ctx)
	if err != nil {
		return err
	}
	if activeAdmins(rows, address) == 0 {
		return refused("%s is the last administrator: make another account an administrator first.", address)
	}
	return nil
}

// setDisabled disables or enables address; an administrator cannot
// disable their own account.
func (s *Server) setDisabled(ctx context.Context, self, address string, disabled bool) (string, error) {
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	row, err := s.findUser(ctx, address)
	if err != nil {
		return "", err
	}
	if disabled {
		if row.Address == self {
			return "", refused("You cannot disable your own account: you would be locked out.")
		}
		if row.Admin {
			if err := s.keepsAnAdmin(ctx, row.Address); err != nil {
				return "", err
			}
		}
	}
	if err := s.store.SetDisabled(ctx, row.Address, disabled); err != nil {
		return "", err
	}
	if disabled {
		return row.Address + " is disabled: it can no longer sign in or receive mail.", nil
	}
	return row.Address + " is enabled again.", nil
}

// setAdmin makes address an administrator or not; the last administrator
// stays one.
func (s *Server) setAdmin(ctx context.Context, address string, admin bool) (string, error) {
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	row, err := s.findUser(ctx, address)
	if err != nil {
		return "", err
	}
	if !admin && row.Admin {
		if err := s.keepsAnAdmin(ctx, row.Address); err != nil {
			return "", err
		}
	}
	if err := s.store.SetAdmin(ctx, row.Address, admin); err != nil {
		return "", err
	}
	if admin {
		return row.Address + " is now an administrator.", nil
	}
	return row.Address + " is no longer an administrator.", nil
}

// deleteUser deletes address and all its mail once confirm repeats the
// address; an administrator cannot delete their own account.
func (s *Server) deleteUser(ctx context.Context, self, address, confirm string) (string, error) {
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	row, err := s.findUser(ctx, address)
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(strings.TrimSpace(confirm), row.Address) {
		return "", refused("To delete %s, type its address to confirm.", row.Address)
	}
	if row.Address == self {
		return "", refused("You cannot delete your own account: another administrator must do it.")
	}
	if row.Admin {
		if err := s.keepsAnAdmin(ctx, row.Address); err != nil {
			return "", err
		}
	}
	if err := s.store.DeleteAccount(ctx, row.Address); err != nil {
		return "", err
	}
	s.log.Info("web: account deleted", "account", row.Address, "by", self)
	return "Deleted " + row.Address + " and its " + plural(int(row.Messages), "message") + ".", nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// Pages.

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, "", "")
}

// renderUsers shows the users page with the outcome of the last action.
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, errMsg, newAddress string) {
	rows, err := s.userRows(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin-users", view{Title: "Users", Error: errMsg,
		Data: usersPage{Users: rows, Self: sessionOf(r).account.Address, NewAddress: newAddress}})
}

// usersOutcome shows the users page after an action.
func (s *Server) usersOutcome(w http.ResponseWriter, r *http.Request, notice string, err error, newAddress string) {
	s.formOutcome(w, r, "/admin/users", notice, err, func(status int, msg string) { s.renderUsers(w, r, status, msg, newAddress) })
}

func (s *Server) createUserForm(w http.ResponseWriter, r *http.Request) {
	address := r.PostFormValue("address")
	notice, err := s.createUser(r.Context(), address, r.PostFormValue("password"))
	s.usersOutcome(w, r, notice, err, address)
}

func (s *Server) resetPasswordForm(w http.ResponseWriter, r *http.Request) {
	notice, err := s.resetPassword(r.Context(), r.PathValue("address"), r.PostFormValue("password"))
	s.usersOutcome(w, r, notice, err, "")
}

func (s *Server) disableForm(w http.ResponseWriter, r *http.Request) {
	notice, err := s.setDisabled(r.Context(), sessionOf(r).account.Address, r.PathValue("address"), true)
	s.usersOutcome(w, r, notice, err, "")
}

func (s *Server) enableForm(w http.ResponseWriter, r *http.Request) {
	notice, err := s.setDisabled(r.Context(), sessionOf(r).account.Address, r.PathValue("address"), false)
	s.usersOutcome(w, r, notice, err, "")
}

func (s *Server) adminForm(w http.ResponseWriter, r *http.Request) {
	var admin bool
	switch r.PostFormValue("admin") {
	case "yes":
		admin = true
	case "no":
	default:
		s.usersOutcome(w, r, "", refused("The form must say whether the account is to be an administrator (yes or no)."), "")
		return
	}
	notice, err := s.setAdmin(r.Context(), r.PathValue("address"), admin)
	if err == nil && !admin && strings.EqualFold(r.PathValue("address"), sessionOf(r).account.Address) {
		// Stepped down: the users page is no longer theirs to see.
		s.done(w, r, "/", notice)
		return
	}
	s.usersOutcome(w, r, notice, err, "")
}

// deleteUserPage is the confirmation step: it names the account and the
// mail that would go with it.
func (s *Server) deleteUserPage(w http.ResponseWriter, r *http.Request) {
	row, err := s.findUser(r.Context(), r.PathValue("address"))
	if status, msg, ok := asInput(err); ok {
		s.refuse(w, r, status, msg)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin-user-delete", view{Title: "Delete " + row.Address, Data: row})
}

func (s *Server) deleteUserForm(w http.ResponseWriter, r *http.Request) {
	notice, err := s.deleteUser(r.Context(), sessionOf(r).account.Address, r.PathValue("address"), r.PostFormValue("confirm"))
	if status, msg, ok := asInput(err); ok && status == http.StatusBadRequest {
		// Back to the confirmation, which says what is missing.
		if row, ferr := s.findUser(r.Context(), r.PathValue("address")); ferr == nil {
			s.render(w, r, status, "admin-user-delete", view{Title: "Delete " + row.Address, Error: msg, Data: row})
			return
		}
	}
	s.usersOutcome(w, r, notice, err, "")
}

// API.

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	rows, err := s.userRows(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": rows})
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var in struct{ Address, Password string }
	if err := readJSON(r, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	notice, err := s.createUser(r.Context(), in.Address, in.Password)
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	row, err := s.findUser(r.Context(), in.Address)
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": row, "notice": notice})
}

// apiUpdateUser changes what the body names: password, disabled, admin.
func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password *string
		Disabled *bool
		Admin    *bool
	}
	if err := readJSON(r, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, address, self := r.Context(), r.PathValue("address"), sessionOf(r).account.Address
	if in.Password == nil && in.Disabled == nil && in.Admin == nil {
		writeJSONError(w, http.StatusBadRequest, "Say what to change: password, disabled or admin.")
		return
	}
	var notices []string
	step := func(notice string, err error) bool {
		if err != nil {
			s.apiAnswer(w, r, err)
			return false
		}
		notices = append(notices, notice)
		return true
	}
	if in.Password != nil && !step(s.resetPassword(ctx, address, *in.Password)) {
		return
	}
	if in.Disabled != nil && !step(s.setDisabled(ctx, self, address, *in.Disabled)) {
		return
	}
	if in.Admin != nil && !step(s.setAdmin(ctx, address, *in.Admin)) {
		return
	}
	row, err := s.findUser(ctx, address)
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": row, "notice": strings.Join(notices, " ")})
}

// apiDeleteUser deletes an account; the body must confirm its address:
// {"confirm": "user@example.org"}.
func (s *Server) apiDeleteUser(w http.ResponseWriter, r *http.Request) {
	var in struct{ Confirm string }
	if err := readJSON(r, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	notice, err := s.deleteUser(r.Context(), sessionOf(r).account.Address, r.PathValue("address"), in.Confirm)
	if err != nil {
		s.apiAnswer(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"notice": notice})
}
