package hostsim

import (
	"sort"
	"strings"
)

// fileEntry is a file or folder of the simulated file system.
type fileEntry struct {
	path string
	data []byte
	dir  bool
	acl  []string // icacls grants, when restricted
}

// fsKey normalizes a Windows path for lookup: backslashes, no trailing slash, lower case.
func fsKey(path string) string {
	p := strings.ReplaceAll(strings.TrimSpace(path), "/", `\`)
	p = strings.TrimRight(p, `\`)
	return strings.ToLower(p)
}

func parentKey(key string) string {
	i := strings.LastIndex(key, `\`)
	if i < 0 {
		return ""
	}
	return key[:i]
}

// File returns the content of a file on the simulated host.
func (m *Machine) File(path string) ([]byte, bool) {
	return m.readFile(path)
}

// Files lists the paths of the files (not folders) on the simulated host.
func (m *Machine) Files() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, f := range m.files {
		if !f.dir {
			out = append(out, f.path)
		}
	}
	sort.Strings(out)
	return out
}

// ACL returns the grants icacls set on a folder, nil when it inherits.
func (m *Machine) ACL(path string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.files[fsKey(path)]; ok {
		return append([]string(nil), f.acl...)
	}
	return nil
}

func (m *Machine) readFile(path string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[fsKey(path)]
	if !ok || f.dir {
		return nil, false
	}
	return append([]byte(nil), f.data...), true
}

func (m *Machine) fileExists(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[fsKey(path)]
	return ok && !f.dir
}

func (m *Machine) pathExists(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.files[fsKey(path)]
	return ok || isDrive(fsKey(path))
}

func isDrive(key string) bool {
	return len(key) == 2 && key[1] == ':'
}

// writeFile writes a file; like .NET it fails when the folder does not exist.
func (m *Machine) writeFile(path string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fsKey(path)
	if parent := parentKey(key); !isDrive(parent) {
		if d, ok := m.files[parent]; !ok || !d.dir {
			return throwf("Could not find a part of the path '%s'.", path)
		}
	}
	if f, ok := m.files[key]; ok && f.dir {
		return throwf("Access to the path '%s' is denied.", path)
	}
	m.files[key] = &fileEntry{path: path, data: append([]byte(nil), data...)}
	return nil
}

// appendFile appends to a file, creating it; used for transcripts.
func (m *Machine) appendFile(path, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fsKey(path)
	f, ok := m.files[key]
	if !ok {
		f = &fileEntry{path: path}
		m.files[key] = f
	}
	f.data = append(f.data, text...)
}

// mkdirAll creates a folder and its parents.
func (m *Machine) mkdirAll(path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fsKey(path)
	for k := key; k != "" && !isDrive(k); k = parentKey(k) {
		if f, ok := m.files[k]; ok {
			if !f.dir {
				return throwf("An item with the specified name %s already exists.", path)
			}
			continue
		}
		m.files[k] = &fileEntry{path: path[:min(len(k), len(path))], dir: true}
	}
	return nil
}

// removeFile removes a file or an empty folder; it reports whether something was removed.
func (m *Machine) removeFile(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fsKey(path)
	if _, ok := m.files[key]; !ok {
		return false
	}
	delete(m.files, key)
	for k := range m.files {
		if strings.HasPrefix(k, key+`\`) {
			delete(m.files, k)
		}
	}
	return true
}

func (m *Machine) setACL(path string, grants []string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[fsKey(path)]
	if !ok {
		return false
	}
	f.acl = grants
	return true
}

// appendBytes appends to an existing file; CopyFile's pieces arrive this way.
func (m *Machine) appendBytes(path string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.files[fsKey(path)]; ok {
		f.data = append(f.data, b...)
	}
}
