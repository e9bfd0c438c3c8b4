package managesieve

import (
	"context"
	"strings"
	"testing"

	"zest/sieve"
	"zest/storage"
)

// PUTSCRIPT and CHECKSCRIPT compile includes (RFC 6609) against the
// user's stored scripts: an included script that does not exist yet is
// accepted, so scripts may arrive in any order (§3.1), but a stored loop
// or an invalid use is refused.
func TestIncludeResolvesUserScripts(t *testing.T) {
	var e *testEnv
	e = newTestEnv(t, func(c *Config) {
		c.Check = func(ctx context.Context, a storage.AccountID, src []byte) error {
			_, err := sieve.Compile(src, sieve.Options{Includes: sieve.StoreSource(ctx, e.store, a)})
			return err
		}
	})
	r := dialRaw(t, e.addr)
	r.untilOK()
	r.send(`AUTHENTICATE "PLAIN" "` + alicePlain + "\"\r\n")
	r.untilOK()

	steps := []struct{ cmd, want string }{
		// lib does not exist yet: accepted.
		{`PUTSCRIPT "main" "require \"include\"; include \"lib\";"`, "OK"},
		// Accepted too: the stored main includes a lib that does not
		// exist yet. The loop shows once both are stored.
		{`PUTSCRIPT "lib" "require \"include\"; include \"main\";"`, "OK"},
		{`CHECKSCRIPT "require \"include\"; include \"main\";"`, "NO"},
		{`PUTSCRIPT "lib" "keep;"`, "OK"},
		{`CHECKSCRIPT "require \"include\"; include \"main\";"`, "OK"},
		// An included script is compiled with its own require.
		{`CHECKSCRIPT "require \"include\"; include \"lib\"; fileinto \"x\";"`, "NO"},
		{`CHECKSCRIPT "require \"include\"; include :global :optional \"site\"; include \"lib\";"`, "OK"},
	}
	for _, s := range steps {
		r.send(s.cmd + "\r\n")
		got := strings.Join(r.untilOK(), "|")
		if !strings.HasPrefix(got, s.want) {
			t.Errorf("%s = %q, want %s", s.cmd, got, s.want)
		}
	}
}
