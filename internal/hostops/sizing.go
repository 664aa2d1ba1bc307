package hostops

// What the nodes of a config need from the host. AKS EE's defaults are used for keys the
// config leaves out; the disk allowance for the VM images and the Windows node is an
// estimate (inferred), kept here so it is easy to change.
const (
	defaultLinuxMemoryMB   = 2048
	defaultWindowsMemoryMB = 2048
	defaultCPUCount        = 2
	defaultDataSizeGB      = 10
	imageAllowanceGB       = 10
	windowsNodeDiskGB      = 30
)

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func (p *procedure) needMemoryMB() int {
	total := 0
	for _, m := range p.o.Config.Machines {
		if m.LinuxNode != nil {
			total += intOr(m.LinuxNode.MemoryInMB, defaultLinuxMemoryMB)
		}
		if m.WindowsNode != nil {
			total += intOr(m.WindowsNode.MemoryInMB, defaultWindowsMemoryMB)
		}
	}
	return total
}

func (p *procedure) needProcessors() int {
	most := 0
	for _, m := range p.o.Config.Machines {
		if m.LinuxNode != nil {
			most = max(most, intOr(m.LinuxNode.CpuCount, defaultCPUCount))
		}
		if m.WindowsNode != nil {
			most = max(most, intOr(m.WindowsNode.CpuCount, defaultCPUCount))
		}
	}
	return most
}

func (p *procedure) needDiskGB() int {
	total := imageAllowanceGB
	for _, m := range p.o.Config.Machines {
		if m.LinuxNode != nil {
			total += intOr(m.LinuxNode.DataSizeInGB, defaultDataSizeGB)
		}
		if m.WindowsNode != nil {
			total += windowsNodeDiskGB
		}
	}
	return total
}

// wantsWindows tells whether the config asks for a Windows node.
func (p *procedure) wantsWindows() bool {
	for _, m := range p.o.Config.Machines {
		if m.WindowsNode != nil {
			return true
		}
	}
	return false
}
