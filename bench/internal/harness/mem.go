package harness

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ProcStatusKB reads a "Name:   123 kB" field (VmRSS, RssAnon, VmHWM, …)
// from /proc/<pid>/status.
func ProcStatusKB(pid int, field string) (int64, error) {
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

// RSSKB is the resident memory of one process (VmRSS).
func RSSKB(pid int) (int64, error) { return ProcStatusKB(pid, "VmRSS") }

// ProcMem is the memory of one process, from /proc/<pid>/status.
type ProcMem struct {
	RSSKB  int64 // VmRSS: all resident pages, the binary's code included
	AnonKB int64 // RssAnon: resident anonymous pages (heap, stacks)
}

// ProcessMemory reads VmRSS and RssAnon of one process.
func ProcessMemory(pid int) (ProcMem, error) {
	var m ProcMem
	var err error
	if m.RSSKB, err = ProcStatusKB(pid, "VmRSS"); err != nil {
		return m, err
	}
	m.AnonKB, err = ProcStatusKB(pid, "RssAnon")
	return m, err
}

// Max returns the field-wise maximum of m and o.
func (m ProcMem) Max(o ProcMem) ProcMem {
	return ProcMem{RSSKB: max(m.RSSKB, o.RSSKB), AnonKB: max(m.AnonKB, o.AnonKB)}
}

// TreeMem is the memory of a process tree.
type TreeMem struct {
	Procs int
	RSSKB int64 // sum of VmRSS: pages shared between processes count once per process
	PSSKB int64 // sum of Pss: shared pages divided among their users (0 if unreadable)
}

// Max returns the field-wise maximum of m and o (each field may come from a
// different moment).
func (m TreeMem) Max(o TreeMem) TreeMem {
	return TreeMem{Procs: max(m.Procs, o.Procs), RSSKB: max(m.RSSKB, o.RSSKB), PSSKB: max(m.PSSKB, o.PSSKB)}
}

// TreeMemory sums VmRSS (and Pss from smaps_rollup) over pid and all its
// descendants.
func TreeMemory(root int) (TreeMem, error) {
	var m TreeMem
	pids, err := treePids(root)
	if err != nil {
		return m, err
	}
	for _, pid := range pids {
		kb, err := RSSKB(pid)
		if err != nil {
			if pid == root {
				return m, err
			}
			continue // exited meanwhile, or a zombie without VmRSS
		}
		m.RSSKB += kb
		m.Procs++
		if pss, err := procFieldKB(pid, "smaps_rollup", "Pss"); err == nil {
			m.PSSKB += pss
		}
	}
	return m, nil
}

// treePids returns root and all its descendants, found through the parent
// pids in /proc/<pid>/stat, root first.
func treePids(root int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
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
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		queue = append(queue, children[pid]...)
		out = append(out, pid)
	}
	return out, nil
}

func (m TreeMem) String() string {
	s := fmt.Sprintf("%s (VmRSS summed over %d processes: master and its children", FmtKB(m.RSSKB), m.Procs)
	if m.PSSKB > 0 {
		s += fmt.Sprintf("; PSS sum %s, shared pages counted once", FmtKB(m.PSSKB))
	}
	return s + ")"
}

// statFields returns the fields of /proc/<pid>/stat after the command name
// (which may hold spaces and parentheses, so the split is after the last
// ')'): state is [0], ppid [1], utime [11], stime [12], cutime [13],
// cstime [14].
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, errors.New("bad stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return nil, errors.New("bad stat")
	}
	return f, nil
}

// parentPid reads the ppid field of /proc/<pid>/stat.
func parentPid(pid int) (int, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(f[1])
}

// clockTick is the unit of the times in /proc/<pid>/stat: USER_HZ, which
// Linux fixes at 100 for user space whatever the kernel's own HZ.
const clockTick = 10 * time.Millisecond

// ProcessCPU is the CPU time (user + system) one process has used.
func ProcessCPU(pid int) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	return ticks(f[11], f[12])
}

// TreeCPU is the CPU time (user + system) used by root and its
// descendants, including the children they have already reaped (cutime and
// cstime). A process that exits and is reaped between two readings moves
// its time to its parent, so the difference of two readings counts it.
func TreeCPU(root int) (time.Duration, error) {
	pids, err := treePids(root)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, pid := range pids {
		f, err := statFields(pid)
		if err != nil {
			if pid == root {
				return 0, err
			}
			continue
		}
		d, err := ticks(f[11], f[12], f[13], f[14])
		if err != nil {
			return 0, err
		}
		total += d
	}
	return total, nil
}

func ticks(fields ...string) (time.Duration, error) {
	var n int64
	for _, f := range fields {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		n += v
	}
	return time.Duration(n) * clockTick, nil
}

// FmtKB formats a size in kB as MiB.
func FmtKB(kb int64) string {
	return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
}
