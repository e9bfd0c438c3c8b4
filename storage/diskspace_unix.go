//go:build unix

package storage

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// freeBytes reports the bytes an unprivileged writer may still use in dir's
// file system.
func freeBytes(dir string) (int64, bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	return int64(st.Bavail) * int64(st.Bsize), true, nil
}

// allocatedBytes is the disk space a file takes: Badger's files are sparse,
// so their length says more than they use.
func allocatedBytes(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}
