package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"zest/storage"
)

// The control socket lets administrative commands reach a running server,
// which holds the store open (Badger admits one process). It is a Unix
// socket in the data directory, reachable only by the data directory's
// owner, carrying one JSON request and one JSON response per connection.

const controlSocketName = "control.sock"

func controlSocketPath(dataDir string) string { return filepath.Join(dataDir, controlSocketName) }

type adminResponse struct {
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	Usage  bool   `json:"usage,omitempty"`
}

// controlServer answers administrative requests from the CLI.
type controlServer struct {
	ln  net.Listener
	st  *storage.Store
	log *slog.Logger
	wg  sync.WaitGroup
	// stop ends imports in progress when the server shuts down; other
	// commands finish what they started.
	stop context.CancelFunc
	ctx  context.Context
}

func listenControl(dataDir string, st *storage.Store, log *slog.Logger) (*controlServer, error) {
	path := controlSocketPath(dataDir)
	// A socket left by a server that was killed blocks the path; the store's
	// own lock already guarantees no other server is using this directory.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &controlServer{ln: ln, st: st, log: log, ctx: ctx, stop: stop}
	c.wg.Add(1)
	go c.serve()
	return c, nil
}

func (c *controlServer) serve() {
	defer c.wg.Done()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.handle(conn)
		}()
	}
}

func (c *controlServer) handle(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Minute)) // deleting a huge account takes a while
	var req adminRequest
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&req); err != nil {
		json.NewEncoder(conn).Encode(adminResponse{Error: "bad request: " + err.Error()})
		return
	}
	ctx := context.Background()
	if isImport(req.Args) {
		// An import runs as long as its files take, and stops (keeping the
		// batches stored so far, as the output says) when the CLI that
		// asked goes away, e.g. on Ctrl-C, or the server shuts down. The
		// CLI sends nothing after its request, so a read that returns
		// means it closed the connection.
		conn.SetDeadline(time.Time{})
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(c.ctx)
		defer cancel()
		go func() {
			defer cancel()
			var b [64]byte
			for {
				if _, err := conn.Read(b[:]); err != nil {
					return
				}
			}
		}()
	}
	out, err := runAdmin(ctx, c.st, req)
	conn.SetWriteDeadline(time.Now().Add(time.Minute))
	resp := adminResponse{Output: out}
	if err != nil {
		resp.Error = err.Error()
		resp.Usage = errors.Is(err, errUsage)
		c.log.Info("admin command failed", "command", req.Args, "err", err)
	} else {
		c.log.Info("admin command", "command", req.Args)
	}
	json.NewEncoder(conn).Encode(resp)
}

func (c *controlServer) Close() error {
	err := c.ln.Close()
	c.stop()
	c.wg.Wait()
	return err
}

// errNoServer means no server answers on the control socket.
var errNoServer = errors.New("no running server")

// callControl sends req to the server running on dataDir.
func callControl(dataDir string, req adminRequest) (adminResponse, error) {
	conn, err := net.DialTimeout("unix", controlSocketPath(dataDir), 2*time.Second)
	if err != nil {
		return adminResponse{}, fmt.Errorf("%w: %v", errNoServer, err)
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return adminResponse{}, fmt.Errorf("control socket: %w", err)
	}
	var resp adminResponse
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return adminResponse{}, fmt.Errorf("control socket: no answer from the server: %w", err)
	}
	return resp, nil
}
