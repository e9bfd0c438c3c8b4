package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zest sieve check reports each error at its line and column; sieve put
// refuses a script that does not compile and changes nothing; a good one
// becomes the active script that get prints and list marks.
//
// spec: SV-28, SV-80
func TestSieveCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": freeAddr(t)})
	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "alice@example.org", "--password-stdin")...)

	good := filepath.Join(dir, "filters.sieve")
	os.WriteFile(good, []byte("require \"fileinto\";\nif header :contains \"subject\" \"report\" {\n  fileinto \"Reports\";\n}\n"), 0o600)
	bad := filepath.Join(dir, "broken.sieve")
	os.WriteFile(bad, []byte("require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n  fileinto \"Reports\"\n}\n"), 0o600)

	code, out, _ := runCLIStatus(append(c, "sieve", "check", good), "")
	if code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("check of a good script: exit %d, %q", code, out)
	}
	code, out, errs := runCLIStatus(append(c, "sieve", "check", bad), "")
	if code != 1 || !strings.HasPrefix(out, bad+":4:1: ") {
		t.Errorf("check of a broken script: exit %d, stdout %q, stderr %q; want %s:4:1: ...", code, out, errs, bad)
	}

	code, _, errs = runCLIStatus(append(c, "sieve", "put", "alice@example.org", bad), "")
	if code != 1 || !strings.Contains(errs, "does not compile") || !strings.Contains(errs, "4:1:") {
		t.Errorf("put of a broken script: exit %d, %q", code, errs)
	}
	if code, _, errs := runCLIStatus(append(c, "sieve", "get", "alice@example.org"), ""); code != 1 || !strings.Contains(errs, "no active script") {
		t.Errorf("after a refused put: exit %d, %q", code, errs)
	}

	runCLI(t, "", append(c, "sieve", "put", "alice@example.org", good)...)
	if out := runCLI(t, "", append(c, "sieve", "get", "alice@example.org")...); !strings.Contains(out, `fileinto "Reports";`) {
		t.Errorf("get: %q", out)
	}
	if out := runCLI(t, "", append(c, "sieve", "list", "alice@example.org")...); out != "filters (active)\n" {
		t.Errorf("list: %q", out)
	}
	if code, _, _ := runCLIStatus(append(c, "sieve", "get", "nobody@example.org"), ""); code != 1 {
		t.Errorf("get for an unknown account: exit %d", code)
	}

	// The administrator's script: refused when broken, stored, printed, removed.
	if code, _, errs := runCLIStatus(append(c, "sieve", "admin", "put", bad), ""); code != 1 || !strings.Contains(errs, "4:1:") {
		t.Errorf("admin put of a broken script: exit %d, %q", code, errs)
	}
	if code, _, errs := runCLIStatus(append(c, "sieve", "admin", "get"), ""); code != 1 || !strings.Contains(errs, "no administrator's script") {
		t.Errorf("admin get with none: exit %d, %q", code, errs)
	}
	runCLI(t, "", append(c, "sieve", "admin", "put", good)...)
	if out := runCLI(t, "", append(c, "sieve", "admin", "get")...); !strings.Contains(out, `fileinto "Reports";`) {
		t.Errorf("admin get: %q", out)
	}
	runCLI(t, "", append(c, "sieve", "admin", "remove")...)
	if code, _, _ := runCLIStatus(append(c, "sieve", "admin", "get"), ""); code != 1 {
		t.Errorf("admin get after remove: exit %d", code)
	}
}

// zest sieve put-global stores a script that users include with
// include :global (RFC 6609 §3.2); one that does not compile is refused.
func TestSievePutGlobal(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": freeAddr(t)})
	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "alice@example.org", "--password-stdin")...)

	site := filepath.Join(dir, "site.sieve")
	os.WriteFile(site, []byte("require \"fileinto\";\nfileinto \"Site\";\n"), 0o600)
	bad := filepath.Join(dir, "bad.sieve")
	os.WriteFile(bad, []byte("fileinto \"Site\";\n"), 0o600)
	if code, _, errs := runCLIStatus(append(c, "sieve", "put-global", "site", bad), ""); code != 1 ||
		!strings.Contains(errs, "does not compile") {
		t.Errorf("put-global of a broken script: exit %d, %q", code, errs)
	}
	if out := runCLI(t, "", append(c, "sieve", "put-global", "site", site)...); !strings.Contains(out, `"site"`) {
		t.Errorf("put-global: %q", out)
	}
	user := filepath.Join(dir, "main.sieve")
	os.WriteFile(user, []byte("require \"include\";\ninclude :global \"site\";\ninclude :global \"site\" \"x\";\n"), 0o600)
	if code, _, errs := runCLIStatus(append(c, "sieve", "put", "alice@example.org", user), ""); code != 1 {
		t.Errorf("put of a script with a bad include: exit %d, %q", code, errs)
	}
	os.WriteFile(user, []byte("require \"include\";\ninclude :global \"site\";\n"), 0o600)
	runCLI(t, "", append(c, "sieve", "put", "alice@example.org", user)...)
}
