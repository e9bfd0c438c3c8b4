package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"zest/sieve"
	"zest/storage"
)

// Sieve scripts from the command line:
//
//	zest sieve check FILE              errors with line:column, no store needed
//	zest sieve put ADDRESS FILE [NAME] store and activate (refused if it does not compile)
//	zest sieve get ADDRESS             print the active script
//	zest sieve list ADDRESS            list the scripts, the active one marked
//	zest sieve put-global NAME FILE    store a global script, for include :global (RFC 6609)
//	zest sieve admin put FILE          the administrator's script, run before every user's
//	zest sieve admin get               print it
//	zest sieve admin remove            remove it
//
// put, get and list go through runAdmin, like the other administrative
// commands; put carries the script's bytes in the request, so a running
// server need not read the user's file.

// checkSieve validates a script exactly as delivery will compile it. Every
// way a script becomes active (ManageSieve, this command, the web page)
// goes through it (SV-28, SV-80).
func checkSieve(src []byte) error {
	_, err := sieve.Compile(src, sieve.Options{})
	return err
}

// checkSieveFor is checkSieve for account a's script: its includes
// (RFC 6609) resolve to a's scripts and the global ones, as at delivery.
// An included script that does not exist yet is no error (RFC 6609 §3.1).
func checkSieveFor(ctx context.Context, st *storage.Store, a storage.AccountID, src []byte) error {
	_, err := sieve.Compile(src, sieve.Options{Includes: sieve.StoreSource(ctx, st, a)})
	return err
}

// isSieveCheck reports whether args is `sieve check FILE`, which runs
// locally without a store.
func isSieveCheck(args []string) bool {
	return len(args) >= 2 && args[0] == "sieve" && args[1] == "check"
}

// runSieveCheck compiles FILE and prints each error on its own line as
// FILE:line:column: message.
func runSieveCheck(args []string) (string, error) {
	if len(args) != 3 {
		return "", fmt.Errorf("%w: zest sieve check FILE", errUsage)
	}
	src, err := os.ReadFile(args[2])
	if err != nil {
		return "", fmt.Errorf("sieve check: %w", err)
	}
	err = checkSieve(src)
	var ce *sieve.CompileError
	if errors.As(err, &ce) {
		var b strings.Builder
		for _, e := range ce.Errors {
			fmt.Fprintf(&b, "%s:%d:%d: %s\n", args[2], e.Line, e.Column, e.Msg)
		}
		return b.String(), fmt.Errorf("%s does not compile (%d errors)", args[2], len(ce.Errors))
	}
	if err != nil {
		return "", err
	}
	return args[2] + ": ok\n", nil
}

// loadSieveFile reads the FILE of `sieve put` into the request, and names
// the script after the file when no NAME is given.
func loadSieveFile(req *adminRequest) error {
	args := req.Args
	if len(args) == 4 && args[0] == "sieve" && args[1] == "put-global" {
		src, err := os.ReadFile(args[3])
		if err != nil {
			return fmt.Errorf("sieve put-global: %w", err)
		}
		req.Args, req.Script = args[:3], src
		return nil
	}
	if len(args) == 4 && args[0] == "sieve" && args[1] == "admin" && args[2] == "put" {
		src, err := os.ReadFile(args[3])
		if err != nil {
			return fmt.Errorf("sieve admin put: %w", err)
		}
		req.Args = []string{"sieve", "admin", "put"}
		req.Script = src
		return nil
	}
	if len(args) < 4 || len(args) > 5 || args[0] != "sieve" || args[1] != "put" {
		return nil
	}
	src, err := os.ReadFile(args[3])
	if err != nil {
		return fmt.Errorf("sieve put: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(args[3]), ".sieve")
	if len(args) == 5 {
		name = args[4]
	}
	req.Args = []string{"sieve", "put", args[2], name}
	req.Script = src
	return nil
}

// runSieveAdmin carries out sieve put, get and list.
func runSieveAdmin(ctx context.Context, st *storage.Store, req adminRequest) (string, error) {
	args := req.Args
	if len(args) >= 2 && args[1] == "admin" {
		return runSieveAdminScript(ctx, st, req)
	}
	if len(args) < 3 {
		return "", fmt.Errorf("%w: zest sieve put|get|list ADDRESS ...", errUsage)
	}
	if args[1] == "put-global" && len(args) == 3 {
		return putGlobalScript(ctx, st, args[2], req.Script)
	}
	a, err := st.AccountByAddress(ctx, args[2])
	if err != nil {
		return "", fmt.Errorf("account %s: %w", args[2], err)
	}
	switch {
	case args[1] == "put" && len(args) == 4:
		name := args[3]
		if !storage.ValidSieveName(name) {
			return "", fmt.Errorf("%q cannot name a script", name)
		}
		if err := checkSieveFor(ctx, st, a.ID, req.Script); err != nil {
			return "", fmt.Errorf("the script does not compile, nothing was changed: %w", err)
		}
		if err := st.PutScript(ctx, a.ID, name, req.Script); err != nil {
			return "", err
		}
		if err := st.SetActive(ctx, a.ID, name); err != nil {
			return "", err
		}
		return fmt.Sprintf("stored script %q for %s and made it active\n", name, a.Address), nil
	case args[1] == "get" && len(args) == 3:
		sc, err := st.ActiveScript(ctx, a.ID)
		if err != nil {
			return "", err
		}
		if sc == nil {
			return "", fmt.Errorf("%s has no active script", a.Address)
		}
		return string(sc.Content), nil
	case args[1] == "list" && len(args) == 3:
		scripts, err := st.ListScripts(ctx, a.ID)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, sc := range scripts {
			mark := ""
			if sc.Active {
				mark = " (active)"
			}
			fmt.Fprintf(&b, "%s%s\n", sc.Name, mark)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("%w: zest sieve put ADDRESS FILE [NAME] | get ADDRESS | list ADDRESS | put-global NAME FILE | check FILE | admin put FILE|get|remove", errUsage)
}

// runSieveAdminScript carries out sieve admin put, get and remove: the
// administrative filter every delivery runs before the user's script.
func runSieveAdminScript(ctx context.Context, st *storage.Store, req adminRequest) (string, error) {
	args := req.Args
	switch {
	case len(args) == 3 && args[2] == "put":
		if len(req.Script) == 0 {
			return "", errors.New("the script is empty; use `zest sieve admin remove` to remove it")
		}
		if err := checkSieve(req.Script); err != nil {
			return "", fmt.Errorf("the script does not compile, nothing was changed: %w", err)
		}
		if err := st.SetAdminScript(ctx, req.Script); err != nil {
			return "", err
		}
		return "stored the administrator's script; it runs before every user's script\n", nil
	case len(args) == 3 && args[2] == "get":
		sc, err := st.AdminScript(ctx)
		if err != nil {
			return "", err
		}
		if sc == nil {
			return "", errors.New("there is no administrator's script")
		}
		return string(sc.Content), nil
	case len(args) == 3 && args[2] == "remove":
		if err := st.SetAdminScript(ctx, nil); err != nil {
			return "", err
		}
		return "removed the administrator's script\n", nil
	}
	return "", fmt.Errorf("%w: zest sieve admin put FILE | admin get | admin remove", errUsage)
}

// putGlobalScript stores a global script after checking that it compiles
// on its own terms: its own :global includes resolve to the global
// scripts, and personal ones are missing (they belong to whichever user
// includes it).
func putGlobalScript(ctx context.Context, st *storage.Store, name string, src []byte) (string, error) {
	if !storage.ValidSieveName(name) {
		return "", fmt.Errorf("%q cannot name a script", name)
	}
	globals := sieve.ScriptSourceFunc(func(global bool, n string) ([]byte, error) {
		if !global {
			return nil, sieve.ErrNoScript
		}
		sc, err := st.GlobalScript(ctx, n)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, sieve.ErrNoScript
		} else if err != nil {
			return nil, err
		}
		return sc.Content, nil
	})
	if _, err := sieve.Compile(src, sieve.Options{Includes: globals}); err != nil {
		return "", fmt.Errorf("the script does not compile, nothing was changed: %w", err)
	}
	if err := st.PutGlobalScript(ctx, name, src); err != nil {
		return "", err
	}
	return fmt.Sprintf("stored global script %q\n", name), nil
}
