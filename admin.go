package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"zest/storage"
	"zest/web"
)

// adminRequest is one administrative command, whether it came from the
// command line of this process or through the control socket of a running
// server: both paths run it through runAdmin, so they cannot drift apart.
type adminRequest struct {
	Args     []string `json:"args"`               // e.g. ["user", "add", "alice@example.org"]
	Password string   `json:"password,omitempty"` // for user add / user passwd
	Script   []byte   `json:"script,omitempty"`   // for sieve put
}

// adminUsage lists the administrative commands.
const adminUsage = `  user add ADDRESS [--password-stdin]   create an account (and its domain, and default mailboxes)
  user passwd ADDRESS [--password-stdin] change an account's password
  user del ADDRESS                       delete an account with all its mail
  user disable|enable ADDRESS            stop or restore logins and delivery
  user list                              list accounts
  alias add FROM TO [TO...]              deliver mail for FROM (or @domain, catch-all) to TO
  alias del FROM [TO...]                 remove an alias, or some of its targets
  alias list                             list aliases
  domain add|del DOMAIN                  receive (or stop receiving) mail for DOMAIN
  domain list                            list local domains
  import ADDRESS MAILBOX PATH            load a maildir or an mbox file into an existing mailbox
  sieve put ADDRESS FILE [NAME]          store a Sieve script and make it active (refused if it does not compile)
  sieve get ADDRESS                      print the active Sieve script
  sieve list ADDRESS                     list the Sieve scripts
  sieve admin put FILE | get | remove    the administrator's Sieve script, run before every user's
  queue list | show ID | remove ID       outbound mail waiting: redirects, vacation replies, notifications, reports
  sieve check FILE                       check a Sieve script, errors with line:column`

// needsPassword reports whether args is a command that takes a password.
func needsPassword(args []string) bool {
	return len(args) >= 2 && args[0] == "user" && (args[1] == "add" || args[1] == "passwd")
}

// isAdminCommand reports whether args names an administrative command.
func isAdminCommand(args []string) bool {
	return len(args) > 0 && (args[0] == "user" || args[0] == "alias" || args[0] == "domain" || args[0] == "import" || args[0] == "sieve" || args[0] == "queue")
}

// errUsage marks a request whose words are wrong, as opposed to one that failed.
var errUsage = errors.New("usage")

// runAdmin carries out one administrative command and returns what to print.
func runAdmin(ctx context.Context, st *storage.Store, req adminRequest) (string, error) {
	args := req.Args
	if isImport(args) {
		return runImport(ctx, st, args)
	}
	if len(args) > 0 && args[0] == "sieve" {
		return runSieveAdmin(ctx, st, req)
	}
	if len(args) > 0 && args[0] == "queue" {
		return runQueueAdmin(ctx, st, args)
	}
	want := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("%w: zest %s takes %d argument(s)", errUsage, strings.Join(args[:min(2, len(args))], " "), n-2)
		}
		return nil
	}
	if len(args) < 2 {
		return "", fmt.Errorf("%w: zest %s needs a subcommand", errUsage, strings.Join(args, " "))
	}
	switch args[0] + " " + args[1] {
	case "user add":
		if err := want(3); err != nil {
			return "", err
		}
		a, err := st.CreateAccount(ctx, args[2], req.Password)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("created %s with mailboxes INBOX, Sent, Drafts, Trash, Junk, Archive\n", a.Address), nil
	case "user passwd":
		if err := want(3); err != nil {
			return "", err
		}
		if err := st.SetPassword(ctx, args[2], req.Password); err != nil {
			return "", err
		}
		return fmt.Sprintf("password of %s changed\n", args[2]), nil
	case "user del":
		if err := want(3); err != nil {
			return "", err
		}
		if err := st.DeleteAccount(ctx, args[2]); err != nil {
			return "", err
		}
		return fmt.Sprintf("deleted %s and all its mail\n", args[2]), nil
	case "user disable", "user enable":
		if err := want(3); err != nil {
			return "", err
		}
		if err := st.SetDisabled(ctx, args[2], args[1] == "disable"); err != nil {
			return "", err
		}
		return fmt.Sprintf("%sd %s\n", args[1], args[2]), nil
	case "user list":
		if err := want(2); err != nil {
			return "", err
		}
		accounts, err := st.Accounts(ctx)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ADDRESS\tMESSAGES\tSIZE\tSTATE")
		for _, a := range accounts {
			var msgs uint32
			var size int64
			boxes, err := st.Mailboxes(ctx, a.ID)
			if err != nil {
				return "", err
			}
			for _, mb := range boxes {
				msgs += mb.Messages
				size += mb.Size
			}
			state := "active"
			if a.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", a.Address, msgs, web.HumanBytes(size), state)
		}
		w.Flush()
		return b.String(), nil
	case "alias add":
		if len(args) < 4 {
			return "", fmt.Errorf("%w: zest alias add FROM TO [TO...]", errUsage)
		}
		if err := st.AddAlias(ctx, args[2], args[3:]...); err != nil {
			return "", err
		}
		return fmt.Sprintf("mail for %s goes to %s\n", args[2], strings.Join(args[3:], ", ")), nil
	case "alias del":
		if len(args) < 3 {
			return "", fmt.Errorf("%w: zest alias del FROM [TO...]", errUsage)
		}
		if err := st.DeleteAlias(ctx, args[2], args[3:]...); err != nil {
			return "", err
		}
		return fmt.Sprintf("alias %s removed\n", args[2]), nil
	case "alias list":
		if err := want(2); err != nil {
			return "", err
		}
		aliases, err := st.Aliases(ctx)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, a := range aliases {
			fmt.Fprintf(&b, "%s -> %s\n", a.From, strings.Join(a.To, ", "))
		}
		return b.String(), nil
	case "domain add":
		if err := want(3); err != nil {
			return "", err
		}
		if err := st.AddDomain(ctx, args[2]); err != nil {
			return "", err
		}
		return fmt.Sprintf("mail for %s is now received here\n", args[2]), nil
	case "domain del":
		if err := want(3); err != nil {
			return "", err
		}
		if err := st.DeleteDomain(ctx, args[2]); err != nil {
			return "", err
		}
		return fmt.Sprintf("domain %s removed\n", args[2]), nil
	case "domain list":
		if err := want(2); err != nil {
			return "", err
		}
		domains, err := st.Domains(ctx)
		if err != nil {
			return "", err
		}
		return strings.Join(append(domains, ""), "\n"), nil
	}
	return "", fmt.Errorf("%w: unknown command zest %s %s", errUsage, args[0], args[1])
}
