package hostsim

import (
	"errors"
)

// Host is a simulated machine served by its WinRM server: what a real Windows host with AKS
// EE installed looks like from the network.
type Host struct {
	Machine *Machine
	Server  *Server
}

// StartHost starts a WinRM server for a new machine and wires them together: the server runs
// the machine's PowerShell and answers with its computer name, and the machine drops the
// server's connections when it creates the switch or restarts. ServerOptions' Executor and
// ComputerName are filled in.
func StartHost(machine MachineOptions, server ServerOptions) (*Host, error) {
	m := NewMachine(machine)
	server.Executor = m
	server.ComputerName = m.computerName()
	srv, err := NewServer(server)
	if err != nil {
		return nil, errors.Join(err, m.Close())
	}
	if err := srv.Start(); err != nil {
		return nil, errors.Join(err, m.Close())
	}
	m.Attach(srv)
	return &Host{Machine: m, Server: srv}, nil
}

// Close stops the server, then the machine's background work.
func (h *Host) Close() error {
	return errors.Join(h.Server.Close(), h.Machine.Close())
}
