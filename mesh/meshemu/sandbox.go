package meshemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
)

// SandboxOptions configure a sandbox.
type SandboxOptions struct {
	// Listen is Synthesize's address; the portal takes the next port (or
	// a free one when the port is 0). Default 127.0.0.1:0.
	Listen   string
	Scenario *Scenario // default Demo()
	// Emulator options added after the sandbox's own (faults, tokens).
	EmulatorOptions []synthemu.Option
	// StateFile, when set, keeps Synthesize's emulated state between runs
	// (it holds a hash of the key, never the key). The portal's pasted key
	// is kept in memory only, as a browser session would.
	StateFile string
}

// Sandbox is the Synthesize emulator and the Mesh portal emulator (which
// also serves Mesh's API), each on its own loopback listener.
type Sandbox struct {
	Emulator    *synthemu.Emulator
	Portal      *Portal
	Scenario    *Scenario
	GradientURL string
	PortalURL   string
	// MeshAPIKey is a Mesh API key made at start ("sandbox", Analytics
	// Default, a year), for MESH_API_KEY. Like every emulated Mesh key it
	// lives in this process only: a restarted sandbox has a new one.
	MeshAPIKey string
	servers    []*http.Server
	done       chan error
}

// MeshHubURL is the emulated hub of a region, what mesh.HubURL gives with
// the portal's address as the override.
func (s *Sandbox) MeshHubURL(region string) string {
	u, _ := mesh.HubURL(region, s.PortalURL)
	return u
}

// StartSandbox listens and serves until Close.
func StartSandbox(opts SandboxOptions) (*Sandbox, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.Scenario == nil {
		opts.Scenario = Demo()
	}
	host, portStr, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("sandbox: --listen %q: want HOST:PORT (for example 127.0.0.1:0)", opts.Listen)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65534 {
		return nil, fmt.Errorf("sandbox: --listen %q: port must be 0 to 65534", opts.Listen)
	}
	gl, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("sandbox: cannot listen on %s: %w", opts.Listen, err)
	}
	portalPort := 0
	if port != 0 {
		portalPort = port + 1
	}
	pl, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(portalPort)))
	if err != nil {
		gl.Close()
		return nil, fmt.Errorf("sandbox: cannot listen for the Mesh portal on %s: %w", net.JoinHostPort(host, strconv.Itoa(portalPort)), err)
	}
	emuOpts := append([]synthemu.Option{
		synthemu.WithPSA(opts.Scenario.PSA),
		synthemu.WithProductServices(mesh.ProductServices()),
		synthemu.WithTicketFailures(opts.Scenario.TicketFailures()),
		synthemu.WithMeshAlerts(opts.Scenario.PulledAlerts),
	}, opts.EmulatorOptions...)
	emu := synthemu.New(emuOpts...)
	if opts.StateFile != "" {
		if data, err := os.ReadFile(opts.StateFile); err == nil {
			if err := emu.Restore(data); err != nil {
				gl.Close()
				pl.Close()
				return nil, fmt.Errorf("%s: %w (delete it to start the sandbox afresh)", opts.StateFile, err)
			}
		}
	}
	s := &Sandbox{
		Emulator:    emu,
		Scenario:    opts.Scenario,
		GradientURL: "http://" + gl.Addr().String(),
		PortalURL:   "http://" + pl.Addr().String(),
		done:        make(chan error, 2),
	}
	s.Portal = NewPortal(PortalConfig{GradientURL: s.GradientURL, VendorKey: emu.VendorKey(), Scenario: opts.Scenario})
	if s.MeshAPIKey, _, err = s.Portal.CreateAPIKey("sandbox", mesh.APIKeyPermission, time.Now().AddDate(1, 0, 0)); err != nil {
		gl.Close()
		pl.Close()
		return nil, fmt.Errorf("sandbox: making a Mesh API key: %w", err)
	}
	for _, pair := range []struct {
		l net.Listener
		h http.Handler
	}{{gl, persist(emu, opts.StateFile)}, {pl, s.Portal}} {
		srv := &http.Server{Handler: pair.h, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		go func(l net.Listener) {
			if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				s.done <- err
			}
		}(pair.l)
	}
	return s, nil
}

// persist saves the emulator's state after every request that may change
// it, and after every pull from Mesh (which ends after its request).
func persist(emu *synthemu.Emulator, path string) http.Handler {
	h := emu.Handler()
	if path == "" {
		return h
	}
	var mu sync.Mutex
	save := func() {
		mu.Lock()
		defer mu.Unlock()
		if data, err := emu.Snapshot(); err == nil {
			_ = store.WritePrivate(path, true, func(w io.Writer) error { _, err := w.Write(data); return err })
		}
	}
	emu.OnChange(save)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			save()
		}
	})
}

// Done reports a listener that stopped on its own.
func (s *Sandbox) Done() <-chan error { return s.done }

// Close stops the emulator's pulls from Mesh, then both servers, waiting
// briefly for requests in flight.
func (s *Sandbox) Close() error {
	s.Emulator.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var first error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}
