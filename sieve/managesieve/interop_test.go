package managesieve

import (
	"bytes"
	"context"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log sink the server writes to while a test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sieveConnect runs Debian's sieve-connect against e as alice, verifying
// the server's self-signed certificate, and returns its combined output.
func sieveConnect(t *testing.T, e *testEnv, caFile string, args ...string) (string, error) {
	t.Helper()
	_, port, _ := net.SplitHostPort(e.addr)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.WriteString("alice password\n")
	w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := []string{"--server", "127.0.0.1", "--port", port, "--user", "alice@example.org", "--passwordfd", "3",
		"--tlscafile", caFile, "--tlshostname", "sieve.zest.test", "--noclearchan", "--authmech", "PLAIN"}
	cmd := exec.CommandContext(ctx, "sieve-connect", append(base, args...)...)
	cmd.ExtraFiles = []*os.File{r}
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("sieve-connect %s:\n%s", strings.Join(args, " "), out)
	return string(out), err
}

// spec: SV-70, SV-72, SV-73, SV-75, SV-76, SV-78
func TestSieveConnect(t *testing.T) {
	if _, err := exec.LookPath("sieve-connect"); err != nil {
		t.Skip("SKIPPED: sieve-connect is not installed (apt-get install sieve-connect); ManageSieve interop not tested")
	}
	e := newTestEnv(t)
	logs := e.logs
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.tls.Certificates[0].Certificate[0]})
	if err := os.WriteFile(caFile, pemCert, 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.sieve")
	os.WriteFile(good, []byte("require \"fileinto\";\nfileinto \"Work\";\n"), 0o600)
	bad := filepath.Join(dir, "bad.sieve")
	os.WriteFile(bad, []byte("require \"fileinto\";\n\n  invalid;\n"), 0o600)
	ctx := context.Background()

	if _, err := sieveConnect(t, e, caFile, "--upload", "--localsieve", good, "--remotesieve", "main"); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if !strings.Contains(logs.String(), "tls=true") {
		t.Fatalf("sieve-connect logged in without STARTTLS; server log:\n%s", logs.String())
	}
	if _, err := sieveConnect(t, e, caFile, "--activate", "--remotesieve", "main"); err != nil {
		t.Fatalf("activate: %v", err)
	}
	sc, err := e.store.ActiveScript(ctx, e.alice.ID)
	if err != nil || sc == nil || sc.Name != "main" || !strings.Contains(string(sc.Content), `fileinto "Work";`) {
		t.Fatalf("active script after sieve-connect = %+v, %v", sc, err)
	}
	out, err := sieveConnect(t, e, caFile, "--list")
	if err != nil || !strings.Contains(out, "main") {
		t.Fatalf("list = %q, %v", out, err)
	}

	// An invalid script is refused with its line, and the old one stays.
	out, err = sieveConnect(t, e, caFile, "--upload", "--localsieve", bad, "--remotesieve", "main")
	if err == nil || !strings.Contains(out, "line 3:3") {
		t.Fatalf("upload of an invalid script = %q, %v; want a failure naming line 3:3", out, err)
	}
	if sc, _ := e.store.GetScript(ctx, e.alice.ID, "main"); sc == nil || strings.Contains(string(sc.Content), "invalid") {
		t.Fatalf("the invalid upload replaced the script: %+v", sc)
	}

	// The active script cannot be deleted; once deactivated it can.
	if out, err := sieveConnect(t, e, caFile, "--delete", "--remotesieve", "main"); err == nil {
		t.Fatalf("delete of the active script succeeded: %q", out)
	}
	if _, err := sieveConnect(t, e, caFile, "--deactivate"); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	if sc, err := e.store.ActiveScript(ctx, e.alice.ID); err != nil || sc != nil {
		t.Fatalf("active script after deactivate = %+v, %v", sc, err)
	}
	if _, err := sieveConnect(t, e, caFile, "--delete", "--remotesieve", "main"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if list, _ := e.store.ListScripts(ctx, e.alice.ID); len(list) != 0 {
		t.Fatalf("scripts left after delete: %+v", list)
	}
}
