package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a server the benchmark started and must stop.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	// serverLog, when set, is the server's own log file, shown instead of
	// its stdout/stderr when it has something in it.
	serverLog string
	done      chan struct{} // closed when the process has exited
	waitErr   error
}

// startProcess starts cmd with stdout and stderr going to logPath. The child
// gets its own process group (so a Ctrl-C reaches only the benchmark, which
// then stops it in order) and is sent SIGTERM if the benchmark dies.
func startProcess(name, logPath string, cmd *exec.Cmd) (*process, error) {
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
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits up to grace for the process to exit, then
// kills it.
func (p *process) stop(grace time.Duration) error {
	if p.exited() {
		return fmt.Errorf("%s had already exited: %v", p.name, p.waitErr)
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
		return fmt.Errorf("%s did not exit within %s of SIGTERM; killed", p.name, grace)
	}
}

// logTail returns the last lines of the process's log, for error messages.
func (p *process) logTail(lines int) string {
	if p.serverLog != "" {
		if st, err := os.Stat(p.serverLog); err == nil && st.Size() > 0 {
			return tailFile(p.serverLog, lines)
		}
	}
	return tailFile(p.logPath, lines)
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

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitListening waits until addr accepts TCP connections, failing early if
// the process exits.
func waitListening(p *process, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited before listening on %s (%s); log:\n%s", p.name, addr, exitText(p.waitErr), p.logTail(20))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening on %s after %s; log:\n%s", p.name, addr, limit, p.logTail(20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// procStatusKB reads a "Name:   123 kB" field from /proc/<pid>/status.
func procStatusKB(pid int, field string) (int64, error) {
	return procFieldKB(pid, "status", field)
}

// procFieldKB reads a "Name:   123 kB" field from /proc/<pid>/<file>.
func procFieldKB(pid int, file, field string) (int64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), file))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		v := strings.Fields(rest)
		if len(v) == 0 {
			break
		}
		return strconv.ParseInt(v[0], 10, 64)
	}
	return 0, fmt.Errorf("no %s in /proc/%d/%s", field, pid, file)
}

// rssKB is the resident memory of one process (VmRSS).
func rssKB(pid int) (int64, error) { return procStatusKB(pid, "VmRSS") }

// treeMem is the memory of a process tree.
type treeMem struct {
	procs int
	rssKB int64 // sum of VmRSS: pages shared between processes count once per process
	pssKB int64 // sum of Pss: shared pages divided among their users (0 if unreadable)
}

// treeMemory sums VmRSS (and Pss from smaps_rollup) over pid and all its
// descendants, found through the parent pids in /proc/<pid>/stat.
func treeMemory(root int) (treeMem, error) {
	var m treeMem
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return m, err
	}
	children := map[int][]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, err := parentPid(pid); err == nil {
			children[pp] = append(children[pp], pid)
		}
	}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		queue = append(queue, children[pid]...)
		kb, err := rssKB(pid)
		if err != nil {
			if pid == root {
				return m, err
			}
			continue // exited meanwhile, or a zombie without VmRSS
		}
		m.rssKB += kb
		m.procs++
		if pss, err := procFieldKB(pid, "smaps_rollup", "Pss"); err == nil {
			m.pssKB += pss
		}
	}
	return m, nil
}

func (m treeMem) String() string {
	s := fmt.Sprintf("%s (VmRSS summed over %d processes: master and its children", fmtKB(m.rssKB), m.procs)
	if m.pssKB > 0 {
		s += fmt.Sprintf("; PSS sum %s, shared pages counted once", fmtKB(m.pssKB))
	}
	return s + ")"
}

// parentPid reads the ppid field of /proc/<pid>/stat. The command name in
// field 2 may hold spaces and parentheses, so parse after the last ')'.
func parentPid(pid int) (int, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("bad stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, errors.New("bad stat")
	}
	return strconv.Atoi(f[1])
}

func fmtKB(kb int64) string {
	return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
