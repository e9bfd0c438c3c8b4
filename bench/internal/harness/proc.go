package harness

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a server the benchmark started and must stop.
type Process struct {
	Name    string
	LogPath string // the process's stdout and stderr
	// ServerLog, when set, is the server's own log file, shown instead of
	// its stdout/stderr when it has something in it.
	ServerLog string

	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// StartProcess starts cmd with stdout and stderr going to logPath. The child
// gets its own process group (so a Ctrl-C reaches only the benchmark, which
// then stops it in order) and is sent SIGTERM if the benchmark dies.
func StartProcess(name, logPath string, cmd *exec.Cmd) (*Process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &Process{Name: name, cmd: cmd, LogPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitStatus describes how the process ended; call it once Exited is true.
func (p *Process) ExitStatus() string {
	if !p.Exited() {
		return "still running"
	}
	if p.waitErr == nil {
		return "exit status 0"
	}
	return p.waitErr.Error()
}

// Stop sends SIGTERM and waits up to grace for the process to exit, then
// kills it. A process that had already exited is an error: a server under
// test must not die on its own.
func (p *Process) Stop(grace time.Duration) error {
	if p.Exited() {
		return fmt.Errorf("%s had already exited: %v", p.Name, p.waitErr)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		var ee *exec.ExitError
		if p.waitErr != nil && !errors.As(p.waitErr, &ee) {
			return p.waitErr
		}
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not exit within %s of SIGTERM; killed", p.Name, grace)
	}
}

// LogTail returns the last lines of the process's log, indented, for error
// messages.
func (p *Process) LogTail(lines int) string {
	if p.ServerLog != "" {
		if st, err := os.Stat(p.ServerLog); err == nil && st.Size() > 0 {
			return tailFile(p.ServerLog, lines)
		}
	}
	return tailFile(p.LogPath, lines)
}

func tailFile(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	text := strings.TrimRight(string(b), "\n")
	if strings.TrimSpace(text) == "" {
		return "    (log is empty)"
	}
	all := strings.Split(text, "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return "    " + strings.Join(all, "\n    ")
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitListening waits until addr accepts TCP connections, failing early if
// the process exits.
func WaitListening(p *Process, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if p.Exited() {
			return fmt.Errorf("%s exited before listening on %s (%s); log:\n%s", p.Name, addr, p.ExitStatus(), p.LogTail(20))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening on %s after %s; log:\n%s", p.Name, addr, limit, p.LogTail(20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
