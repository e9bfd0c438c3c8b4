//go:build unix

package storage

import "golang.org/x/sys/unix"

// freeBytes reports the bytes an unprivileged writer may still use in dir's
// file system.
func freeBytes(dir string) (int64, bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	return int64(st.Bavail) * int64(st.Bsize), true, nil
}
